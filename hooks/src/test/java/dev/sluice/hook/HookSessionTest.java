package dev.sluice.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class HookSessionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Scheduler scheduler;
    private RecordingHookLog log;
    private HookRunner runner;
    private HookScripts scripts;
    private Path trace;
    private Path tracer;

    @BeforeEach
    void setUp() throws IOException {
        scheduler = Schedulers.newBoundedElastic(4, 100, "hook-session-test");
        log = new RecordingHookLog();
        runner = new HookRunner(scheduler, log, HookLimits.defaults().withKillGrace(Duration.ofMillis(300)),
                Clock.systemUTC());
        scripts = new HookScripts(dir);
        trace = dir.resolve("trace.txt");
        // Appends "point args... snapshot=ID" to the trace, then exits with $EXIT_<name> if the script is a failing copy.
        tracer = scripts.script("trace.sh", "echo \"$SLUICE_HOOK $* snapshot=$SLUICE_SNAPSHOT\" >> " + trace);
    }

    @AfterEach
    void tearDown() {
        scheduler.dispose();
    }

    private HookSession session(HookContext.Role role, HookDefinition... hooks) {
        return new HookSession(runner, log, List.of(hooks), HookContext.of("nightly", role, dir));
    }

    private HookDefinition at(HookPoint point, Path exe, String... args) {
        return HookDefinition.of(point, exe, TIMEOUT, args);
    }

    private List<String> trace() throws IOException {
        return Files.exists(trace) ? Files.readAllLines(trace) : List.of();
    }

    private Path failing(String name, int status) throws IOException {
        return scripts.script(name, "echo \"$SLUICE_HOOK " + name + " failed\" >> " + trace + "; exit " + status);
    }

    @Test
    void everyPointFiresInOrderWithItsArguments() throws IOException {
        List<HookDefinition> hooks = new ArrayList<>();
        for (HookPoint p : List.of(HookPoint.JOB_START, HookPoint.SNAPSHOT_PRE, HookPoint.TRANSFER_PRE,
                HookPoint.TRANSFER_POST, HookPoint.SNAPSHOT_POST, HookPoint.JOB_END)) {
            hooks.add(at(p, tracer, "cfg"));
        }
        HookSession session = new HookSession(runner, log, hooks, HookContext.of("nightly", HookContext.Role.SOURCE, dir));
        assertTrue(session.enter(HookPoint.JOB_START).block(WAIT).proceed());
        session.useSnapshot("s1");
        assertTrue(session.enter(HookPoint.SNAPSHOT_PRE).block(WAIT).proceed());
        assertTrue(session.enter(HookPoint.TRANSFER_PRE).block(WAIT).proceed());
        byte[] summary = "{}".getBytes(StandardCharsets.UTF_8);
        assertTrue(session.exit(HookPoint.TRANSFER_POST, 0, summary).block(WAIT).proceed());
        assertTrue(session.exit(HookPoint.SNAPSHOT_POST, 0, null).block(WAIT).proceed());
        HookSession.Outcome end = session.finish(0).block(WAIT);
        assertTrue(end.proceed());
        assertEquals(List.of(
                "job.start cfg snapshot=",
                "snapshot.pre cfg snapshot=s1",
                "transfer.pre cfg snapshot=s1",
                "transfer.post 0 cfg snapshot=s1",
                "snapshot.post 0 cfg snapshot=s1",
                "job.end 0 cfg snapshot=s1"), trace());
        assertEquals(6, session.results().size());
        assertTrue(session.results().stream().allMatch(HookResult::ok));
    }

    @Test
    void pruneRunsOnTheSinkWithItsStatus() throws IOException {
        HookSession session = session(HookContext.Role.SINK, at(HookPoint.JOB_START, tracer),
                at(HookPoint.PRUNE_POST, tracer), at(HookPoint.JOB_END, tracer));
        session.enter(HookPoint.JOB_START).block(WAIT);
        session.exit(HookPoint.PRUNE_POST, 0, null).block(WAIT);
        session.finish(0).block(WAIT);
        assertEquals(List.of("job.start  snapshot=", "prune.post 0 snapshot=", "job.end 0 snapshot="), trace());
    }

    @Test
    void hooksAtPointsOfTheOtherSideAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> session(HookContext.Role.SINK, at(HookPoint.SNAPSHOT_PRE, tracer)));
        assertTrue(e.getMessage().contains("snapshot.pre"), e.getMessage());
    }

    @Test
    void failingSnapshotPreTakesNoSnapshotAndStillEndsTheJob() throws IOException {
        Path fail = failing("freeze", 1);
        HookSession session = session(HookContext.Role.SOURCE,
                at(HookPoint.JOB_START, tracer), at(HookPoint.SNAPSHOT_PRE, fail),
                at(HookPoint.TRANSFER_PRE, tracer), at(HookPoint.TRANSFER_POST, tracer),
                at(HookPoint.SNAPSHOT_POST, tracer), at(HookPoint.JOB_END, tracer));
        assertTrue(session.enter(HookPoint.JOB_START).block(WAIT).proceed());
        HookSession.Outcome pre = session.enter(HookPoint.SNAPSHOT_PRE).block(WAIT);
        assertFalse(pre.proceed());
        assertTrue(pre.failure().orElseThrow().contains(fail.toString()), pre.failure().orElseThrow());
        // The engine must not go on; the session refuses to.
        StepVerifier.create(session.enter(HookPoint.TRANSFER_PRE)).expectError(IllegalStateException.class).verify(WAIT);
        HookSession.Outcome end = session.finish(1).block(WAIT);
        assertTrue(end.proceed());
        assertEquals(List.of("job.start  snapshot=", "snapshot.pre freeze failed", "job.end 1 snapshot="), trace());
    }

    @Test
    void aPartlyPassedPrePointStillGetsItsPostCounterpart() throws IOException {
        Path fail = failing("freeze-b", 2);
        HookSession session = session(HookContext.Role.SOURCE,
                at(HookPoint.SNAPSHOT_PRE, tracer, "freeze-a"), at(HookPoint.SNAPSHOT_PRE, fail),
                at(HookPoint.SNAPSHOT_PRE, tracer, "never"),
                at(HookPoint.SNAPSHOT_POST, tracer, "thaw"), at(HookPoint.JOB_END, tracer));
        session.enter(HookPoint.JOB_START).block(WAIT);
        assertFalse(session.enter(HookPoint.SNAPSHOT_PRE).block(WAIT).proceed());
        session.finish(1).block(WAIT);
        assertEquals(List.of("snapshot.pre freeze-a snapshot=", "snapshot.pre freeze-b failed",
                "snapshot.post 1 thaw snapshot=", "job.end 1 snapshot="), trace());
    }

    @Test
    void finishRunsDueCounterpartsNewestFirstWithTheFailureStatus() throws IOException {
        Path stdin = dir.resolve("post-stdin.txt");
        Path post = scripts.script("post.sh", "cat > " + stdin + "; echo \"$SLUICE_HOOK $*\" >> " + trace + "; echo 0");
        HookSession session = session(HookContext.Role.SOURCE,
                at(HookPoint.SNAPSHOT_PRE, tracer), at(HookPoint.TRANSFER_PRE, tracer),
                at(HookPoint.TRANSFER_POST, post), at(HookPoint.SNAPSHOT_POST, tracer), at(HookPoint.JOB_END, tracer));
        session.enter(HookPoint.JOB_START).block(WAIT);
        session.enter(HookPoint.SNAPSHOT_PRE).block(WAIT);
        session.enter(HookPoint.TRANSFER_PRE).block(WAIT);
        // The transfer itself fails in the engine; it goes straight to finish().
        session.finish(2).block(WAIT);
        assertEquals(List.of("snapshot.pre  snapshot=", "transfer.pre  snapshot=", "transfer.post 2",
                "snapshot.post 2 snapshot=", "job.end 2 snapshot="), trace());
        assertEquals("{\"completed\":false,\"status\":2}", Files.readString(stdin));
    }

    @Test
    void exitedPostPointsDoNotRunAgainInFinish() throws IOException {
        HookSession session = session(HookContext.Role.SOURCE,
                at(HookPoint.SNAPSHOT_PRE, tracer), at(HookPoint.SNAPSHOT_POST, tracer), at(HookPoint.JOB_END, tracer));
        session.enter(HookPoint.SNAPSHOT_PRE).block(WAIT);
        session.exit(HookPoint.SNAPSHOT_POST, 0, null).block(WAIT);
        session.finish(0).block(WAIT);
        assertEquals(List.of("snapshot.pre  snapshot=", "snapshot.post 0 snapshot=", "job.end 0 snapshot="), trace());
        StepVerifier.create(session.finish(0)).expectError(IllegalStateException.class).verify(WAIT);
    }

    @Test
    void warnContinuesAndAbortStops() throws IOException {
        Path fail = failing("flaky", 3);
        HookSession session = session(HookContext.Role.SOURCE,
                at(HookPoint.JOB_START, fail).withOnError(OnError.WARN), at(HookPoint.JOB_START, tracer, "after-warn"),
                at(HookPoint.SNAPSHOT_PRE, fail), at(HookPoint.SNAPSHOT_PRE, tracer, "after-abort"));
        HookSession.Outcome start = session.enter(HookPoint.JOB_START).block(WAIT);
        assertTrue(start.proceed());
        assertEquals(HookResult.Status.FAILED, start.results().get(0).status());
        assertTrue(log.events.stream().anyMatch(e -> e.contains("on_error is warn") && e.contains(fail.toString())),
                log.events.toString());
        HookSession.Outcome snap = session.enter(HookPoint.SNAPSHOT_PRE).block(WAIT);
        assertFalse(snap.proceed());
        assertEquals(1, snap.results().size());
        assertEquals(List.of("job.start flaky failed", "job.start after-warn snapshot=", "snapshot.pre flaky failed"), trace());
    }

    @Test
    void everyPostHookRunsEvenAfterAnAbortingOne() throws IOException {
        Path fail = failing("thaw-a", 1);
        HookSession session = session(HookContext.Role.SOURCE,
                at(HookPoint.SNAPSHOT_POST, fail), at(HookPoint.SNAPSHOT_POST, tracer, "thaw-b"));
        HookSession.Outcome post = session.exit(HookPoint.SNAPSHOT_POST, 0, null).block(WAIT);
        assertTrue(post.failed());
        assertEquals(List.of("snapshot.post thaw-a failed", "snapshot.post 0 thaw-b snapshot="), trace());
    }

    @Test
    void jobEndRunsAfterAFailingJobStartAndCanFailTheJob() throws IOException {
        Path fail = failing("start", 1);
        Path endFail = failing("end", 4);
        HookSession session = session(HookContext.Role.SOURCE,
                at(HookPoint.JOB_START, fail), at(HookPoint.JOB_END, endFail), at(HookPoint.JOB_END, tracer));
        assertFalse(session.enter(HookPoint.JOB_START).block(WAIT).proceed());
        HookSession.Outcome end = session.finish(1).block(WAIT);
        assertTrue(end.failed());
        assertEquals(2, end.results().size());
        assertEquals(List.of("job.start start failed", "job.end end failed", "job.end 1 snapshot="), trace());
    }

    @Test
    void transferHooksCombineExcludesAndChainStatus() throws IOException {
        Path ex1 = scripts.script("ex1.sh", "printf '%s\\0' a b");
        Path ex2 = scripts.script("ex2.sh", "printf 'c\\0'");
        Path forgive = scripts.script("forgive.sh", "cat >/dev/null; test \"$1\" = 24 && echo 0");
        Path check = scripts.script("check.sh", "cat >/dev/null; echo \"second got $1\" >> " + trace);
        HookSession session = session(HookContext.Role.SOURCE, at(HookPoint.TRANSFER_PRE, ex1),
                at(HookPoint.TRANSFER_PRE, ex2), at(HookPoint.TRANSFER_POST, forgive), at(HookPoint.TRANSFER_POST, check));
        assertEquals(List.of("a", "b", "c"), session.enter(HookPoint.TRANSFER_PRE).block(WAIT).excludes());
        HookSession.Outcome post = session.exit(HookPoint.TRANSFER_POST, 24, "{}".getBytes(StandardCharsets.UTF_8)).block(WAIT);
        assertEquals(OptionalInt.of(0), post.replacementStatus());
        assertEquals(List.of("second got 0"), trace());
    }

    @Test
    void malformedExcludesAbortTransferPre() throws IOException {
        Path bad = scripts.script("bad.sh", "printf 'no-terminator'");
        HookSession session = session(HookContext.Role.SOURCE, at(HookPoint.TRANSFER_PRE, bad));
        HookSession.Outcome pre = session.enter(HookPoint.TRANSFER_PRE).block(WAIT);
        assertFalse(pre.proceed());
        assertEquals(HookResult.Status.CONTRACT_ERROR, pre.results().get(0).status());
        assertTrue(pre.failure().orElseThrow().contains(bad.toString()));
    }

    @Test
    void asyncHookDoesNotDelayTheSequence() throws Exception {
        Path release = dir.resolve("release");
        Path slow = scripts.script("notify.sh", "while [ ! -e " + release + " ]; do sleep 0.05; done; echo notified >> " + trace);
        HookSession session = session(HookContext.Role.SOURCE,
                at(HookPoint.JOB_START, slow).withAsync(true), at(HookPoint.JOB_START, tracer, "sync"));
        // If the sequence waited for the async hook, this would never complete: the hook waits for us.
        HookSession.Outcome start = session.enter(HookPoint.JOB_START).block(WAIT);
        assertTrue(start.proceed());
        assertEquals(1, start.results().size());
        assertEquals(List.of("job.start sync snapshot="), trace());
        Files.createFile(release);
        for (int i = 0; i < 500 && log.finished.size() < 2; i++) {
            Thread.sleep(20);
        }
        assertEquals(2, log.finished.size());
        assertEquals(List.of("job.start sync snapshot=", "notified"), trace());
        assertEquals(2, session.results().size());
    }

    @Test
    void enterAndExitRejectWrongPoints() {
        HookSession session = session(HookContext.Role.SOURCE);
        StepVerifier.create(session.enter(HookPoint.JOB_END)).expectError(IllegalArgumentException.class).verify(WAIT);
        StepVerifier.create(session.exit(HookPoint.JOB_END, 0, null)).expectError(IllegalArgumentException.class).verify(WAIT);
        StepVerifier.create(session.exit(HookPoint.TRANSFER_POST, 0, null)).expectError(IllegalArgumentException.class).verify(WAIT);
        StepVerifier.create(session.enter(HookPoint.JOB_START)).expectNextMatches(HookSession.Outcome::proceed).verifyComplete();
        StepVerifier.create(session.enter(HookPoint.JOB_START)).expectError(IllegalStateException.class).verify(WAIT);
    }
}
