package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.SluiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The daemon's scheduling on virtual time: runs happen at the configured times, missed runs once, reloads take over. */
class DaemonScheduleTest {
    private static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");

    /** Records when each job ran; returns status 0 with no snapshot. */
    private static final class RecordingRunner implements JobRunner {
        final List<String> runs = new CopyOnWriteArrayList<>();
        final Clock clock;
        RecordingRunner(Clock clock) { this.clock = clock; }

        @Override
        public RunReport run(dev.sluice.engine.config.JobSpec job, SluiceConfig config,
                java.util.function.Consumer<java.util.function.Supplier<Progress>> progress,
                dev.sluice.engine.job.Cancellation cancellation) {
            runs.add(job.name() + "@" + Duration.between(T0, clock.instant()).toSeconds());
            return new RunReport(0, "ab", Progress.NONE, null, false, List.of());
        }
    }

    private static String yaml(String... jobs) {
        StringBuilder s = new StringBuilder("jobs:\n");
        for (String j : jobs) {
            String[] p = j.split("=", 2);
            s.append("  - name: ").append(p[0]).append("\n    paths: [/src]\n    repository: /repo\n    schedule: \"")
                    .append(p[1]).append("\"\n");
        }
        return s.toString();
    }

    private static SluiceConfig config(String text) throws Exception {
        return ConfigLoader.parse("d.yaml", text, Path.of("/"), "h");
    }

    @Test
    void runsHappenAtTheirTimesAndReloadsTakeOver() throws Exception {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        Clock clock = new VirtualClock(vts, T0);
        RecordingRunner runner = new RecordingRunner(clock);
        RunListener quiet = new RunListener() {
            @Override public void started(String job, String trigger, Instant at) {}
            @Override public void finished(String job, Instant s, Instant e, RunReport r) {}
        };
        EventLog log = new EventLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), clock,
                "debug", false);
        JobSlot.Context context = new JobSlot.Context(clock, vts, Schedulers.immediate(), runner, quiet, new Random(3));
        AtomicReference<String> file = new AtomicReference<>(yaml("hourly=every 1h", "nightly=30 2 * * *",
                "missed=every 1h", "hand=manual"));
        Daemon daemon = new Daemon(config(file.get()), () -> config(file.get()), context,
                job -> job.name().equals("missed") ? Optional.of(T0.minus(Duration.ofDays(3))) : Optional.empty(), log);
        daemon.start();
        vts.advanceTimeBy(Duration.ofHours(3));
        assertEquals(List.of("missed@0", "hourly@3600", "missed@3600", "hourly@7200", "missed@7200",
                "nightly@9000", "hourly@10800", "missed@10800"), runner.runs);

        runner.runs.clear();
        file.set(yaml("hourly=every 30m", "fresh=every 2h"));
        Daemon.Reload r = daemon.reload();
        assertTrue(r.accepted());
        assertEquals(List.of("fresh"), r.added());
        assertEquals(List.of("nightly", "missed", "hand"), r.removed());
        assertEquals(List.of("hourly"), r.changed());
        vts.advanceTimeBy(Duration.ofHours(2));
        assertEquals(List.of("fresh@18000", "hourly@12600", "hourly@14400", "hourly@16200", "hourly@18000"),
                runner.runs.stream().sorted().toList());

        file.set("jobs:\n  - name: x\n    paths: []\n    schedule: every 1q\n");
        Daemon.Reload bad = daemon.reload();
        assertTrue(!bad.accepted());
        assertTrue(bad.problems().size() >= 3, bad.problems().toString());
        assertEquals(List.of("hourly", "fresh"), daemon.status().stream().map(JobSlot.View::job).toList());
        vts.dispose();
    }
}
