package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.daemon.TlsSinkService;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.transport.tls.CertificateAuthority;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A push configured only by files: the sink's listener comes from its configuration, {@code sluice backup -c}
 * pushes over mutual TLS, and the sink's repository restores with the key that never left the source.
 */
class PushConfigIT {
    @TempDir
    Path dir;

    @Test
    void backupFromAConfigFilePushesToTheConfiguredSink() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        for (String n : new String[] {"sink", "web-1"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        }
        // The repository is created with the source's key (its key check is stored), then lives at the sink.
        LocalRepo repo = LocalRepo.create(Files.createDirectories(dir.resolve("sink")));
        Path src = Files.createDirectories(dir.resolve("source/data"));
        Random r = new Random(7);
        Files.writeString(src.resolve("a.txt"), "pushed from a config file\n");
        Files.createDirectories(src.resolve("sub/deeper"));
        byte[] big = new byte[700 * 1024];
        r.nextBytes(big);
        Files.write(src.resolve("sub/big.bin"), big);
        Files.writeString(src.resolve("sub/deeper/c.txt"), "c".repeat(9000));
        Files.createSymbolicLink(src.resolve("link"), Path.of("a.txt"));

        Path sinkConfig = dir.resolve("sink.yaml");
        Files.writeString(sinkConfig, """
                global:
                  host: sink
                  listen:
                    tls: {address: 127.0.0.1:0, ca: pki/ca.crt, cert: pki/sink.crt, key: pki/sink.key,
                          clients: {web-1: web-1}}
                  sink:
                    repository: %s
                    clients: {web-1: {jobs: [home]}}
                """.formatted(repo.repo()));
        SluiceConfig sink = ConfigLoader.load(sinkConfig);
        Scheduler io = Schedulers.newBoundedElastic(4, 1024, "sink-io");
        TlsSinkService service = TlsSinkService.of(sink.global(), Clock.systemUTC(), io);
        service.start();
        try {
            Path sourceConfig = dir.resolve("source.yaml");
            Files.writeString(sourceConfig, """
                    global: {host: claimed-by-source}
                    jobs:
                      - name: home
                        paths: [source/data]
                        key_file: %s
                        repository:
                          sink:
                            tls: {address: 127.0.0.1:%d, server_name: sink, ca: pki/ca.crt,
                                  cert: pki/web-1.crt, key: pki/web-1.key}
                      - name: other
                        paths: [source/data]
                        key_file: %s
                        repository:
                          sink:
                            tls: {address: 127.0.0.1:%d, server_name: sink, ca: pki/ca.crt,
                                  cert: pki/web-1.crt, key: pki/web-1.key}
                    """.formatted(repo.key(), service.address().getPort(), repo.key(),
                    service.address().getPort()));

            CliRun.of("backup", "-c", sourceConfig.toString(), "home").expect(0);
            List<SnapshotRecord> snapshots = snapshots(repo.repo());
            assertEquals(1, snapshots.size());
            assertEquals("home", snapshots.get(0).job());
            assertEquals("web-1", snapshots.get(0).host(), "the sink records the certificate's identity");

            Path target = dir.resolve("restore");
            repo.restore("latest", target).expect(0);
            TreeAssert.assertSameTree(src, LocalRepo.restored(target, src));

            // web-1 is not configured for job "other" at the sink: the run fails and nothing is stored
            CliRun refused = CliRun.of("backup", "-c", sourceConfig.toString(), "other");
            assertNotEquals(0, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("other"), refused.toString());
            assertEquals(1, snapshots(repo.repo()).size());

            // a second push of the unchanged tree uses the sink's latest snapshot as its parent
            CliRun.of("backup", "-c", sourceConfig.toString(), "home").expect(0);
            assertEquals(2, snapshots(repo.repo()).size());
        } finally {
            service.stop();
            io.dispose();
        }
    }

    @Test
    void theDaemonServesTheConfiguredSink() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        for (String n : new String[] {"sink", "web-1"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        }
        LocalRepo repo = LocalRepo.create(Files.createDirectories(dir.resolve("sink")));
        Path src = Files.createDirectories(dir.resolve("source/data"));
        Files.writeString(src.resolve("a.txt"), "through the daemon\n");
        Files.createDirectories(src.resolve("sub"));
        Files.writeString(src.resolve("sub/b.txt"), "b".repeat(20000));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path sinkConfig = dir.resolve("sink.yaml");
        Files.writeString(sinkConfig, """
                global:
                  runtime_dir: run
                  metrics: off
                  shutdown_grace: 0s
                  host: sink
                  listen:
                    tls: {address: 127.0.0.1:%d, ca: pki/ca.crt, cert: pki/sink.crt, key: pki/sink.key,
                          clients: {web-1: web-1}}
                  sink:
                    repository: %s
                    clients: {web-1: {jobs: [home]}}
                """.formatted(port, repo.repo()));
        Path log = dir.resolve("daemon-log");
        Process daemon = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of("-Xmx512m"),
                "daemon", "-c", sinkConfig.toString()), log).start();
        try {
            SluiceProcess.awaitServiceStart(daemon, log.resolve("stderr"), "tls listener 127.0.0.1:" + port);
            Path sourceConfig = dir.resolve("source.yaml");
            Files.writeString(sourceConfig, """
                    global: {host: web-1}
                    jobs:
                      - name: home
                        paths: [source/data]
                        key_file: %s
                        repository:
                          sink:
                            tls: {address: 127.0.0.1:%d, server_name: sink, ca: pki/ca.crt,
                                  cert: pki/web-1.crt, key: pki/web-1.key}
                    """.formatted(repo.key(), port));
            CliRun.of("backup", "-c", sourceConfig.toString(), "home").expect(0);
            Path target = dir.resolve("restore");
            repo.restore("latest", target).expect(0);
            TreeAssert.assertSameTree(src, LocalRepo.restored(target, src));
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    private static List<SnapshotRecord> snapshots(Path repository) throws Exception {
        try (Repository open = Repository.open(repository)) {
            return open.snapshots();
        }
    }
}
