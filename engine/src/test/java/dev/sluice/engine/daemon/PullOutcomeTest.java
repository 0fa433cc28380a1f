package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.JobPlans;
import dev.sluice.engine.job.PullJob;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookRunner;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pull job at the sink adds to a pull: its own hooks (job.start, prune.post, job.end, with the source's
 * identity), its snapshot rate limit, and the source's outcome (status 3, a failure text) carried to the sink's
 * result.
 */
class PullOutcomeTest {
    private static final PeerIdentity WEB_1 = new PeerIdentity("web-1");
    private static final PeerIdentity BACKUP_1 = new PeerIdentity("backup-1");

    @TempDir
    Path dir;

    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /** The sink's configuration: pull job web-1-home dialing web-1, with the given extra YAML lines. */
    private SluiceConfig sinkConfig(PullFixture f, String source, String extra) throws Exception {
        return ConfigLoader.parse("sink.yaml", """
                global:
                  host: backup-1
                jobs:
                  - name: web-1-home
                    type: pull
                    source: {job: home, %s tls: {address: '127.0.0.1:1', server_name: web-1, ca: ca, cert: c, key: k}}
                    repository: %s
                %s""".formatted(source, f.repo.repo(), extra), dir);
    }

    /** Pulls once over an in-process link to a source daemon serving {@code source}. */
    private static PullJob.Outcome pull(PullFixture f, SluiceConfig source, SluiceConfig sink,
            PullJob.Retention retention) {
        LocalLinks.Pair pair = LocalLinks.pair(WEB_1, BACKUP_1);
        f.sourceDispatcher(source).serve(pair.second()).subscribe();
        HookLog hookLog = HookLog.lines(line -> f.log.info("hook.line", "line", line));
        PullJob job = new PullJob(f.clock, f.io, f.parked, new HookRunner(f.io, hookLog), hookLog);
        return job.run(JobPlans.planPull(sink.job("web-1-home").orElseThrow(), sink), pair.first(),
                new Cancellation(), retention);
    }

    @Test
    void aPullJobRunsItsOwnHooksAtTheSinkWithTheSourcesIdentity() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            Path seen = dir.resolve("seen.txt");
            Path hook = script("note", "echo \"$SLUICE_HOOK $SLUICE_ROLE $SLUICE_PEER $SLUICE_SOURCE_JOB $1\" >> " + seen);
            SluiceConfig sink = sinkConfig(f, "", """
                        hooks:
                          - {point: job.start, path: %s}
                          - {point: prune.post, path: %s}
                          - {point: job.end, path: %s}
                    """.formatted(hook, hook, hook));
            PullJob.Outcome outcome = pull(f, f.sourceConfig("{pull: {sinks: [backup-1]}}"), sink,
                    (arrived, peer) -> OptionalInt.of(0));
            f.assertPulledOnce(outcome);
            assertEquals(List.of("job.start sink web-1 home ", "prune.post sink web-1 home 0",
                    "job.end sink web-1 home 0"), Files.readAllLines(seen));
            assertEquals(List.of("job.start", "prune.post", "job.end"),
                    outcome.hooks().stream().map(h -> h.point().id()).toList());
        }
    }

    @Test
    void aFailingJobStartHookPullsNothing() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            Path seen = dir.resolve("seen.txt");
            SluiceConfig sink = sinkConfig(f, "", """
                        hooks:
                          - {point: job.start, path: %s}
                          - {point: job.end, path: %s}
                    """.formatted(script("fail", "exit 4"), script("note", "echo \"$SLUICE_HOOK $1\" >> " + seen)));
            PullJob.Outcome outcome = pull(f, f.sourceConfig("{pull: {sinks: [backup-1]}}"), sink,
                    PullJob.Retention.NONE);
            assertEquals(1, outcome.status());
            assertTrue(outcome.failure().getMessage().contains("a job.start hook failed; nothing was pulled"),
                    outcome.failure().getMessage());
            assertEquals(List.of("job.end 1"), Files.readAllLines(seen));
            assertEquals(List.of(), f.snapshots());
            assertTrue(!f.log().contains("pull.start"), "the source was never asked: " + f.log());
        }
    }

    @Test
    void aPullJobHonoursItsSnapshotRateLimit() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            SluiceConfig sink = sinkConfig(f, "snapshot_rate_limit: 1/h,", "");
            assertEquals(1, JobPlans.planPull(sink.job("web-1-home").orElseThrow(), sink).rateLimit().maxPerHour());
            SluiceConfig source = f.sourceConfig("{pull: {sinks: [backup-1]}}");
            f.assertPulledOnce(pull(f, source, sink, PullJob.Retention.NONE));
            PullJob.Outcome second = pull(f, source, sink, PullJob.Retention.NONE);
            assertEquals(1, second.status());
            assertNull(second.snapshot());
            assertTrue(second.failure().getMessage().contains("accepts at most 1 an hour"),
                    second.failure().getMessage());
            assertEquals(1, f.snapshots().size());
        }
    }

    @Test
    void withoutItsOwnLimitAPullJobUsesTheSinksLimit() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            SluiceConfig sink = ConfigLoader.parse("sink.yaml", """
                    global:
                      host: backup-1
                      listen: {stdinserver: {clients: [web-1]}}
                      sink: {repository: %s, clients: {web-1: {jobs: [home]}}, snapshot_rate_limit: 7/h}
                    jobs:
                      - name: web-1-home
                        type: pull
                        source: {job: home, reverse: web-1}
                        repository: %s
                    """.formatted(f.repo.repo(), f.repo.repo()), dir);
            assertEquals(7, JobPlans.planPull(sink.job("web-1-home").orElseThrow(), sink).rateLimit().maxPerHour());
        }
    }

    @Test
    void theSourcesPartialStatusReachesTheSink() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            // the source's transfer.post hook turns its status into 3, as unreadable files would
            Path partial = script("partial", "cat > /dev/null; echo 3");
            SluiceConfig source = ConfigLoader.parse("source.yaml", f.sourceYaml("{pull: {sinks: [backup-1]}}")
                    + "    hooks: [{point: transfer.post, path: " + partial + "}]\n", dir);
            PullJob.Outcome outcome = pull(f, source, sinkConfig(f, "", ""), PullJob.Retention.NONE);
            assertEquals(3, outcome.status(), () -> outcome.failure() + "\n" + f.log());
            assertNotNull(outcome.snapshot(), "the snapshot is stored; the status says it is partial");
            assertTrue(outcome.failure().getMessage().startsWith("source web-1 reports status 3"),
                    outcome.failure().getMessage());
            f.assertOneSnapshotRestores();
            assertTrue(f.log().contains("pull.end job=home peer=backup-1 status=3"), f.log());
        }
    }

    @Test
    void aSourceFailureTextReachesTheSink() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            Path fail = script("thaw-failed", "echo cannot thaw >&2; exit 9");
            SluiceConfig source = ConfigLoader.parse("source.yaml", f.sourceYaml("{pull: {sinks: [backup-1]}}")
                    + "    hooks: [{point: snapshot.post, path: " + fail + "}]\n", dir);
            PullJob.Outcome outcome = pull(f, source, sinkConfig(f, "", ""), PullJob.Retention.NONE);
            assertEquals(1, outcome.status(), () -> outcome.failure() + "\n" + f.log());
            assertNotNull(outcome.snapshot());
            assertTrue(outcome.failure().getMessage().contains("source web-1 reports status 1")
                    && outcome.failure().getMessage().contains("failed hooks: snapshot.post"),
                    outcome.failure().getMessage());
        }
    }
}
