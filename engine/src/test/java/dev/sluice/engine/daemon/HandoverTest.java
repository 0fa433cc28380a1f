package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.json.JsonReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The control protocol's {@code handover}: only for the file the daemon loaded, as it is now; a run that starts after
 * the request, also while one runs; the run's status, error, facts and problems in the answer.
 */
class HandoverTest {
    @TempDir
    Path dir;

    private final AtomicInteger runs = new AtomicInteger();
    private volatile CountDownLatch release = new CountDownLatch(0);
    private final CountDownLatch firstStarted = new CountDownLatch(1);
    private Scheduler jobs;
    private Scheduler timer;

    /** Numbers its runs; the first waits for {@link #release}; the job "broken" fails. */
    private final JobRunner runner = new JobRunner() {
        @Override
        public RunReport run(JobSpec job, SluiceConfig config, Consumer<Supplier<Progress>> progress,
                Cancellation cancellation) {
            int n = runs.incrementAndGet();
            firstStarted.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (job.name().equals("broken")) {
                return new RunReport(1, null, Progress.NONE, "the source is gone", false, List.of());
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("run", (long) n);
            facts.put("tree", ".");
            return new RunReport(3, null, Progress.NONE, null, false, List.of(), facts, List.of("cannot read x"));
        }
    };

    @BeforeEach
    void schedulers() {
        jobs = Schedulers.newBoundedElastic(4, 100, "handover-jobs");
        timer = Schedulers.newSingle("handover-timer");
    }

    @AfterEach
    void dispose() {
        release.countDown();
        jobs.dispose();
        timer.dispose();
    }

    private Path writeConfig(String name, String comment) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, "# " + comment + "\njobs:\n"
                + "  - {name: copy, paths: [/src], repository: /repo, schedule: manual}\n"
                + "  - {name: broken, paths: [/src], repository: /repo, schedule: manual}\n");
        return file;
    }

    private ControlProtocol protocol(Path file) throws Exception {
        Clock clock = Clock.systemUTC();
        EventLog log = new EventLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), clock,
                "info", false);
        RunListener quiet = new RunListener() {
            @Override public void started(String job, String trigger, Instant at) {}
            @Override public void finished(String job, Instant s, Instant e, RunReport r) {}
        };
        JobSlot.Context context = new JobSlot.Context(clock, timer, jobs, runner, quiet, new Random(1));
        Daemon daemon = new Daemon(ConfigLoader.load(file), () -> ConfigLoader.load(file), context,
                job -> Optional.empty(), log);
        daemon.start();
        return new ControlProtocol(daemon, () -> null, Instant.now(), () -> { });
    }

    private static String handover(String job, Path file, String sha256) {
        return "{\"op\":\"handover\",\"job\":\"" + job + "\",\"config_file\":\"" + file + "\",\"config_sha256\":\""
                + sha256 + "\"}";
    }

    private static Map<String, Object> answer(ControlProtocol protocol, String request) {
        return JsonReader.object(protocol.apply(request).block(Duration.ofSeconds(30)));
    }

    @Test
    void theRunsStatusFactsAndProblemsComeBackForTheFileTheDaemonLoaded() throws Exception {
        Path file = writeConfig("sluice.yaml", "v1");
        ControlProtocol protocol = protocol(file);
        String sha256 = ConfigLoader.load(file).sha256();
        assertEquals(64, sha256.length());

        Map<String, Object> ok = answer(protocol, handover("copy", file.toRealPath(), sha256));
        assertEquals(true, ok.get("ok"), ok.toString());
        assertEquals(3L, ok.get("status"));
        assertEquals(null, ok.get("error"));
        assertEquals(Map.of("run", 1L, "tree", "."), ok.get("facts"));
        assertEquals(List.of("cannot read x"), ok.get("problems"));

        Map<String, Object> failed = answer(protocol, handover("broken", file.toRealPath(), sha256));
        assertEquals(true, failed.get("ok"), failed.toString());
        assertEquals(1L, failed.get("status"));
        assertEquals("the source is gone", failed.get("error"));

        Map<String, Object> none = answer(protocol, handover("nosuch", file.toRealPath(), sha256));
        assertEquals(false, none.get("ok"));
        assertTrue(String.valueOf(none.get("error")).contains("no job named 'nosuch'"), none.toString());
        assertEquals(2, runs.get());
    }

    @Test
    void anotherFileOrAChangedOneIsNotRun() throws Exception {
        Path file = writeConfig("sluice.yaml", "v1");
        ControlProtocol protocol = protocol(file);
        String loaded = ConfigLoader.load(file).sha256();

        writeConfig("sluice.yaml", "v2, not reloaded");
        String changed = ConfigLoader.load(file).sha256();
        assertFalse(changed.equals(loaded));
        Map<String, Object> stale = answer(protocol, handover("copy", file.toRealPath(), changed));
        assertEquals(false, stale.get("ok"));
        assertEquals(true, stale.get("config_differs"));
        assertEquals(true, stale.get("same_file"));
        assertTrue(String.valueOf(stale.get("error")).contains("before its last change"), stale.toString());

        Path other = writeConfig("other.yaml", "v1");
        assertEquals(loaded, ConfigLoader.load(other).sha256(), "the same bytes");
        Map<String, Object> elsewhere = answer(protocol, handover("copy", other.toRealPath(), loaded));
        assertEquals(false, elsewhere.get("ok"));
        assertEquals(true, elsewhere.get("config_differs"));
        assertEquals(false, elsewhere.get("same_file"));

        Map<String, Object> incomplete = answer(protocol, "{\"op\":\"handover\",\"job\":\"copy\"}");
        assertEquals(false, incomplete.get("ok"));
        assertTrue(String.valueOf(incomplete.get("error")).contains("config_sha256"), incomplete.toString());
        assertEquals(0, runs.get(), "nothing ran");

        // after a reload the changed file is the daemon's
        assertEquals(true, answer(protocol, "{\"op\":\"reload\"}").get("ok"));
        assertEquals(true, answer(protocol, handover("copy", file.toRealPath(), changed)).get("ok"));
        assertEquals(1, runs.get());
    }

    @Test
    void aHandoverWhileTheJobRunsGetsTheNextRunNotTheCurrentOne() throws Exception {
        Path file = writeConfig("sluice.yaml", "v1");
        ControlProtocol protocol = protocol(file);
        String sha256 = ConfigLoader.load(file).sha256();
        release = new CountDownLatch(1);
        var joined = protocol.apply("{\"op\":\"run\",\"job\":\"copy\",\"wait\":true}").toFuture();
        assertTrue(firstStarted.await(30, TimeUnit.SECONDS));
        var first = protocol.apply(handover("copy", file.toRealPath(), sha256)).toFuture();
        var second = protocol.apply(handover("copy", file.toRealPath(), sha256)).toFuture();
        Thread.sleep(200);
        assertFalse(first.isDone(), "answered while the earlier run was still running");
        release.countDown();
        assertEquals(3L, JsonReader.object(joined.get(30, TimeUnit.SECONDS)).get("status"));
        Map<String, Object> a = JsonReader.object(first.get(30, TimeUnit.SECONDS));
        Map<String, Object> b = JsonReader.object(second.get(30, TimeUnit.SECONDS));
        assertEquals(Map.of("run", 2L, "tree", "."), a.get("facts"), "the run after the one that was running");
        assertEquals(a.get("facts"), b.get("facts"), "two hand-overs during one run share the next run");
        assertEquals(2, runs.get());
    }
}
