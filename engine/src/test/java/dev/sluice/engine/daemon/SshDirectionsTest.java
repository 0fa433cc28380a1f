package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.sluice.engine.backup.ErrorPolicy;
import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.ListenStdinSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.config.SshConnectSpec;
import dev.sluice.engine.job.BackupJob;
import dev.sluice.engine.job.JobPlans;
import dev.sluice.engine.protocol.SinkPolicy;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.engine.retention.SnapshotRateLimit;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookRunner;
import dev.sluice.transport.PeerIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push, pull and reverse pull with ssh as the way to reach the peer, through a real sshd on loopback whose
 * authorized_keys force {@code sluice stdinserver ID} into the far daemon's stdinserver socket.
 */
class SshDirectionsTest {
    @TempDir
    static Path sshDir;
    static Sshd sshd;
    static Path sourceRuntime;
    static Path sinkRuntime;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSshd() throws Exception {
        if (!Sshd.available()) {
            return;
        }
        sourceRuntime = Files.createDirectory(sshDir.resolve("source-run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        sinkRuntime = Files.createDirectory(sshDir.resolve("sink-run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        sshd = Sshd.start(sshDir, Map.of(
                "to_source", Map.entry("backup-1", sourceRuntime),
                "to_sink", Map.entry("web-1", sinkRuntime)));
    }

    @AfterAll
    static void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    @BeforeEach
    void needsSshd() {
        Assumptions.assumeTrue(sshd != null, "/usr/sbin/sshd is not installed");
    }

    private static SshConnectSpec ssh(String key, String identity, String peer) {
        return new SshConnectSpec("127.0.0.1", sshd.port, System.getProperty("user.name"), sshDir.resolve(key),
                sshd.options(), identity, peer);
    }

    @Test
    void aPushOverSshFromTheConfiguration() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            SinkServer sink = new SinkServer(f.repo.repo(), new SinkPolicy(Map.of(new PeerIdentity("web-1"),
                    Set.of("home")), SnapshotRateLimit.DEFAULT), f.clock, f.io);
            StdinSinkService listener = StdinSinkService.of(new ListenStdinSpec(Set.of("web-1")), sinkRuntime,
                    f.sinkDispatcher(f.sinkConfig(), sink)::serve);
            listener.start();
            try {
                String options = String.join(", ", sshd.options());
                SluiceConfig source = ConfigLoader.parse("source.yaml", """
                        global: {host: web-1}
                        jobs:
                          - name: home
                            paths: [%s]
                            key_file: %s
                            repository:
                              sink:
                                ssh: {address: "127.0.0.1:%d", user: %s, identity_file: %s, options: [%s],
                                      identity: web-1, peer: backup-1}
                        """.formatted(f.src, f.repo.key(), sshd.port, System.getProperty("user.name"),
                        sshDir.resolve("to_sink"), options), dir);
                BackupJob.Plan plan = JobPlans.plan(source.job("home").orElseThrow(), source, "web-1", true,
                        ErrorPolicy.abort(), null, null);
                assertEquals("sink ssh " + System.getProperty("user.name") + "@127.0.0.1:" + sshd.port,
                        plan.sink().describe());
                HookLog hooks = HookLog.lines(line -> { });
                BackupJob.Outcome outcome = new BackupJob(f.workers, f.clock, new HookRunner(f.workers.io(), hooks),
                        hooks).run(plan, stats -> { });
                assertEquals(0, outcome.status(), () -> outcome.failure() + "\nsshd: " + sshd.log());
                assertNotNull(outcome.result());
                f.assertOneSnapshotRestores();
            } finally {
                listener.stop();
            }
        }
    }

    @Test
    void aPullOverSshReachesTheSourceStdinserver() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            SluiceConfig source = f.sourceConfig("{pull: {sinks: [backup-1]}}");
            StdinSinkService listener = StdinSinkService.of(new ListenStdinSpec(Set.of("backup-1")), sourceRuntime,
                    f.sourceDispatcher(source)::serve);
            listener.start();
            try {
                f.assertPulledOnce(f.pull(PullFixture.dial(ssh("to_source", "backup-1", "web-1")), null));
            } finally {
                listener.stop();
            }
        }
    }

    @Test
    void aReversePullOverSshParksAtTheSinkStdinserver() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            StdinSinkService listener = StdinSinkService.of(new ListenStdinSpec(Set.of("web-1")), sinkRuntime,
                    f.sinkDispatcher(f.sinkConfig(), null)::serve);
            listener.start();
            SshConnectSpec toSink = ssh("to_sink", "web-1", "backup-1");
            SluiceConfig source = f.sourceConfig("{reverse_pull: {ssh: {address: '127.0.0.1:" + sshd.port
                    + "', user: " + toSink.user() + ", identity_file: " + toSink.identityFile() + ", options: ["
                    + String.join(", ", toSink.options()) + "], identity: web-1, peer: backup-1}}}");
            ReversePullService service = new ReversePullService(toSink, f.pulled(source), f.log, f.jobThreads);
            service.start();
            try {
                f.assertPulledOnce(f.pull(PullFixture.reverse("web-1"), null));
            } finally {
                service.stop();
                listener.stop();
            }
        }
    }
}
