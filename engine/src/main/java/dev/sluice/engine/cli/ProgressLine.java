package dev.sluice.engine.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Redraws one status line on a terminal a few times a second while a run is going:
 * files, bytes, rate and, when the total is known, an ETA. Off when not on a terminal.
 */
final class ProgressLine implements AutoCloseable {
    private final PrintStream out;
    private final Clock clock;
    private final Instant start;
    private final Supplier<String> counts;
    private final LongSupplier bytes;
    private final LongSupplier total;
    private final Thread thread;
    private volatile boolean running = true;

    private ProgressLine(PrintStream out, Clock clock, Supplier<String> counts, LongSupplier bytes, LongSupplier total) {
        this.out = out;
        this.clock = clock;
        this.start = clock.instant();
        this.counts = counts;
        this.bytes = bytes;
        this.total = total;
        this.thread = new Thread(this::loop, "sluice-progress");
        this.thread.setDaemon(true);
    }

    /** Starts a progress line if {@code enabled}; otherwise returns one that does nothing. */
    static ProgressLine start(boolean enabled, PrintStream out, Clock clock, Supplier<String> counts,
            LongSupplier bytes, LongSupplier total) {
        ProgressLine p = new ProgressLine(out, clock, counts, bytes, total);
        if (enabled) {
            p.thread.start();
        } else {
            p.running = false;
        }
        return p;
    }

    private void loop() {
        while (running) {
            draw();
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void draw() {
        Duration elapsed = Duration.between(start, clock.instant());
        long done = bytes.getAsLong();
        long all = total.getAsLong();
        StringBuilder line = new StringBuilder("\r\033[K").append(counts.get())
                .append("  ").append(Human.bytes(done));
        if (all > 0) {
            line.append(" / ").append(Human.bytes(all));
        }
        line.append("  ").append(Human.rate(done, elapsed));
        if (all > 0 && done > 0 && done < all) {
            double secondsLeft = elapsed.toNanos() / 1e9 * (all - done) / done;
            line.append("  ETA ").append(Human.duration(Duration.ofMillis((long) (secondsLeft * 1000))));
        }
        out.print(line);
        out.flush();
    }

    @Override
    public void close() {
        if (running) {
            running = false;
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.print("\r\033[K");
            out.flush();
        }
    }
}
