package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.RetentionSpec;
import dev.sluice.engine.config.ScheduleSpec;
import dev.sluice.engine.config.SinkSpec;
import dev.sluice.engine.daemon.DaemonPruner;
import dev.sluice.engine.daemon.EventLog;
import dev.sluice.engine.daemon.SinkRetention;
import dev.sluice.engine.daemon.TlsSinkService;
import dev.sluice.engine.repository.RepositoryLayout;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.retention.RetentionDecision;
import dev.sluice.engine.retention.RetentionPlanner;
import dev.sluice.engine.retention.RetentionPolicy;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The sink applies retention per client identity and job, with its own receipt times, after each session that
 * added a snapshot and on its prune schedule; a busy lock defers the prune; snapshots of other identities, and
 * of jobs without a policy, are never touched. Real pushes over in-process links into a real repository.
 */
class SinkRetentionPushTest {
    private static final Instant T0 = Instant.parse("2025-01-01T04:00:00Z");

    @TempDir
    Path dir;

    private final VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    /** The sink's clock: virtual time, so receipt times are chosen by the test. */
    private final Clock clock = new Clock() {
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException(); }
        @Override public Instant instant() { return T0.plusMillis(vts.now(TimeUnit.MILLISECONDS)); }
    };
    private final ByteArrayOutputStream events = new ByteArrayOutputStream();
    private PushHarness h;

    @AfterEach
    void tearDown() {
        vts.dispose();
        if (h != null) {
            h.close();
        }
    }

    private void push(SinkServer server, String identity, String job) throws IOException {
        LocalLinks.Pair p = LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity(identity));
        // as the TLS and stdinserver listeners do: a session that fails to open closes the link
        Mono<CloseReason> served = server.serve(p.second()).doOnError(e -> p.second().close(
                CloseReason.of(CloseReason.Code.APPLICATION_ERROR, String.valueOf(e.getMessage())))).cache();
        served.subscribe(r -> { }, e -> { });
        h.push(p.first(), job);
        // the session's end (and with an immediate worker, its prune) completes before serve does
        served.block(PushHarness.WAIT);
    }

    private List<Instant> times(String identity, String job) throws IOException {
        return h.snapshots().stream().filter(s -> s.host().equals(identity) && s.job().equals(job))
                .map(SnapshotRecord::time).sorted().toList();
    }

    @Test
    void aSessionArrivingDuringAPruneWaitsForItInsteadOfFailing() throws Exception {
        h = new PushHarness(dir);
        CompletableFuture<Void> pushed;
        try (RepositoryLock pruning = RepositoryLock.acquire(new RepositoryLayout(h.repoRoot),
                RepositoryLock.Mode.EXCLUSIVE, new RepositoryLock.Owner("another-process", 99), Clock.systemUTC())) {
            pushed = CompletableFuture.runAsync(() -> {
                try {
                    push(h.server, "web-1", "home");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            // without the wait the session would be refused at once and the push would fail within milliseconds
            Thread.sleep(SinkServer.LOCK_POLL.toMillis() * 4);
            assertFalse(pushed.isDone(), "the push ended while the repository was locked: " + pushed);
            assertEquals(0, h.snapshots().size());
        }
        pushed.get(60, TimeUnit.SECONDS);
        assertEquals(1, times("web-1", "home").size());
        h.restoreAndCompare(dir.resolve("restore"));
    }

    @Test
    void eachIdentitysJobIsPrunedByItsOwnPolicyWithReceiptTimes() throws Exception {
        h = new PushHarness(dir);
        RetentionSpec daily3 = new RetentionSpec(0, 0, 3, 0, 0, 0, Duration.ZERO);
        RetentionSpec last1 = new RetentionSpec(1, 0, 0, 0, 0, 0, Duration.ZERO);
        SinkSpec spec = new SinkSpec(h.repoRoot, Map.of("web-1", Set.of("home"), "web-2", Set.of("home", "db")), 60,
                Map.of("web-1", Map.of("home", daily3), "web-2", Map.of("db", last1)),
                ScheduleSpec.parse("0 3 * * *"));
        EventLog log = new EventLog(new PrintStream(events, true, StandardCharsets.UTF_8), clock, "info", false);
        SinkRetention retention = SinkRetention.of(spec, clock, vts, Schedulers.immediate(),
                new DaemonPruner(log, null, clock, RepositoryLock.Owner.current()), new Random(1));
        SinkServer server = TlsSinkService.sinkServer(spec, clock, h.sinkIo, retention.listener());
        retention.start();
        assertEquals(Instant.parse("2025-01-02T03:00:00Z"), retention.nextRun());

        // web-1 pushes "home" twice a day for six days (receipt times 04:00 and 16:00), and so does web-2,
        // which has no policy for "home"; web-2's "db" keeps only the last
        for (int i = 0; i < 12; i++) {
            push(server, "web-1", "home");
            push(server, "web-2", "home");
            push(server, "web-2", "db");
            assertTrue(times("web-1", "home").size() <= 4, "pruned after each session: " + times("web-1", "home"));
            vts.advanceTimeBy(Duration.ofHours(12));
        }
        Instant last = T0.plus(Duration.ofHours(12 * 11));
        assertEquals(List.of(last.minus(Duration.ofDays(2)), last.minus(Duration.ofDays(1)), last),
                times("web-1", "home"), "keep_daily 3: the newest of each of the three newest days (receipt times)");
        assertEquals(12, times("web-2", "home").size(), "no policy for web-2's home: everything kept");
        assertEquals(List.of(last), times("web-2", "db"), "keep_last 1");
        String text = events.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("prune.scope job=home peer=web-1 trigger=session policy=\"daily 3\""), text);
        assertTrue(text.contains("prune.done job=home peer=sink trigger=session"), text);

        // the planner's own answer on what is left is "keep everything", so the sink kept exactly the planned set
        for (RetentionDecision d : RetentionPlanner.plan(h.snapshots().stream()
                .filter(s -> s.host().equals("web-1")).toList(), RetentionPolicy.of(daily3))) {
            assertTrue(d.keep(), "a snapshot the policy would forget is still there: " + d);
        }

        // a session is still running (shared lock): the prune after the next push is deferred, not lost ...
        events.reset();
        try (RepositoryLock busy = RepositoryLock.acquire(new RepositoryLayout(h.repoRoot),
                RepositoryLock.Mode.SHARED, new RepositoryLock.Owner("another-process", 99), clock)) {
            vts.advanceTimeBy(Duration.ofHours(1));
            push(server, "web-1", "home");
            assertEquals(4, times("web-1", "home").size());
            assertTrue(retention.hasPending());
            assertTrue(events.toString(StandardCharsets.UTF_8).contains("prune.deferred job=home peer=sink"
                    + " trigger=session"), events.toString(StandardCharsets.UTF_8));
        }
        // ... and done at the sink's next scheduled prune (03:00)
        Instant before = clock.instant();
        vts.advanceTimeBy(Duration.ofHours(24));
        assertFalse(retention.hasPending());
        assertEquals(3, times("web-1", "home").size());
        assertTrue(events.toString(StandardCharsets.UTF_8).contains("prune.done job=home,db peer=sink"
                + " trigger=schedule"), events.toString(StandardCharsets.UTF_8));
        assertTrue(retention.nextRun().isAfter(before.plus(Duration.ofHours(24))), retention.nextRun().toString());
        retention.stop();
        assertEquals(null, retention.nextRun());
        h.restoreAndCompare(dir.resolve("restore"));
        h.assertSinkHasNoKey();
    }
}
