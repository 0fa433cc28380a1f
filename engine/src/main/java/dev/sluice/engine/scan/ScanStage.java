package dev.sluice.engine.scan;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The first pipeline stage: turns roots and rules into a backpressured stream of
 * {@link ScanEntry}, walking only as far as downstream has requested.
 *
 * <p>The walk runs on the scheduler given to the constructor (a bounded elastic scheduler in
 * production, since every step is blocking file I/O). Each request pulls exactly that many
 * entries from a {@link Walker}; the walker is closed when the stream completes, fails or is
 * cancelled. Per-file problems are entries, not errors; the stream fails only on an unexpected
 * exception (for example when raw path access is not available).
 */
public final class ScanStage {

    private final Scheduler scheduler;

    public ScanStage(Scheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** Scans {@code roots} with {@code rules}; nothing happens until subscription. */
    public Flux<ScanEntry> scan(List<Path> roots, ScanRules rules) {
        return scan(roots, rules, false);
    }

    /** Scans; with {@code deferFileXattrs} regular files come without xattrs (see {@link Walker}). */
    public Flux<ScanEntry> scan(List<Path> roots, ScanRules rules, boolean deferFileXattrs) {
        List<Path> copy = List.copyOf(roots);
        Objects.requireNonNull(rules, "rules");
        return scan(() -> new Walker(copy, rules, deferFileXattrs));
    }

    /** Scans with a walker made at subscription time (tests use it to observe the walker). */
    Flux<ScanEntry> scan(Supplier<Walker> walkers) {
        return Flux.<ScanEntry, Walker>generate(walkers::get, (walker, sink) -> {
            if (walker.hasNext()) {
                sink.next(walker.next());
            } else {
                sink.complete();
            }
            return walker;
        }, Walker::close).subscribeOn(scheduler);
    }
}
