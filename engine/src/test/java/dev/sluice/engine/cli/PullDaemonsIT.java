package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.transport.tls.CertificateAuthority;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull and reverse pull between two real {@code sluice daemon -c} processes over mutual TLS on loopback: the sink
 * daemon's pull job, started with {@code sluice run JOB --wait}, makes the source daemon run its job with its key,
 * and the sink's repository restores the source tree.
 */
class PullDaemonsIT {
    @TempDir
    Path dir;
    private LocalRepo repo;
    private Path src;
    private final List<Process> daemons = new ArrayList<>();

    @BeforeEach
    void pkiAndTree() throws Exception {
        src = Files.createDirectories(dir.resolve("source/data"));
        TreeFixture.create().file("a.txt", "between two daemons\n").dir("sub")
                .randomFile("sub/big.bin", 400 * 1024, 3).symlink("link", "a.txt").materialise(src);
        repo = LocalRepo.create(Files.createDirectories(dir.resolve("sink")));
        Path pki = Files.createDirectories(dir.resolve("pki"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        for (String n : new String[] {"web-1", "backup-1"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        }
        for (String r : new String[] {"source-run", "sink-run"}) {
            Files.createDirectory(dir.resolve(r),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    @AfterEach
    void stopDaemons() throws Exception {
        for (Process p : daemons) {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Path daemon(String name, String yaml, String awaitService) throws Exception {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, yaml);
        Path log = dir.resolve(name + "-log");
        Process p = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of("-Xmx512m"),
                "daemon", "-c", config.toString()), log).start();
        daemons.add(p);
        SluiceProcess.awaitServiceStart(p, log.resolve("stderr"), awaitService);
        return config;
    }

    /** The source daemon's configuration: job home, dialed to the sink at {@code port} for a reverse pull. */
    private String reversePullingSource(int port) {
        return """
                global:
                  runtime_dir: source-run
                  metrics: off
                  shutdown_grace: 0s
                  host: web-1
                jobs:
                  - name: home
                    paths: [source/data]
                    key_file: %s
                    repository:
                      reverse_pull:
                        tls: {address: 127.0.0.1:%d, server_name: backup-1, ca: pki/ca.crt, cert: pki/web-1.crt,
                              key: pki/web-1.key}
                """.formatted(repo.key(), port);
    }

    /** The sink daemon, listening on {@code port}, whose job web-1-home waits for web-1's reverse-pull link. */
    private void reversePullingSink(int port) throws Exception {
        daemon("sink", """
                global:
                  runtime_dir: sink-run
                  metrics: off
                  shutdown_grace: 0s
                  host: backup-1
                  listen:
                    tls: {address: 127.0.0.1:%d, ca: pki/ca.crt, cert: pki/backup-1.crt, key: pki/backup-1.key,
                          clients: {web-1: web-1}}
                jobs:
                  - name: web-1-home
                    type: pull
                    source: {job: home, reverse: web-1, wait: 60s}
                    repository: %s
                """.formatted(port, repo.repo()), "127.0.0.1:" + port);
    }

    private void assertRestores(int snapshots) throws Exception {
        try (Repository open = Repository.open(repo.repo())) {
            List<SnapshotRecord> all = open.snapshots();
            assertEquals(snapshots, all.size());
            assertTrue(all.stream().allMatch(s -> s.job().equals("home") && s.host().equals("web-1")), all::toString);
        }
        Path target = dir.resolve("restore");
        repo.restore("latest", target).expect(0);
        TreeAssert.assertSameTree(src, LocalRepo.restored(target, src));
    }

    @Test
    void theSinkDaemonPullsFromTheSourceDaemon() throws Exception {
        int port = freePort();
        daemon("source", """
                global:
                  runtime_dir: source-run
                  metrics: off
                  shutdown_grace: 0s
                  host: web-1
                  listen:
                    tls: {address: 127.0.0.1:%d, ca: pki/ca.crt, cert: pki/web-1.crt, key: pki/web-1.key,
                          clients: {backup-1: backup-1}}
                jobs:
                  - name: home
                    paths: [source/data]
                    key_file: %s
                    repository: {pull: {sinks: [backup-1]}}
                """.formatted(port, repo.key()), "127.0.0.1:" + port);
        Path sink = daemon("sink", """
                global:
                  runtime_dir: sink-run
                  metrics: off
                  shutdown_grace: 0s
                  host: backup-1
                jobs:
                  - name: web-1-home
                    type: pull
                    source:
                      job: home
                      tls: {address: 127.0.0.1:%d, server_name: web-1, ca: pki/ca.crt, cert: pki/backup-1.crt,
                            key: pki/backup-1.key}
                    repository: %s
                    retention: {keep_last: 1}
                """.formatted(port, repo.repo()), "control");
        CliRun.of("run", "web-1-home", "--wait", "--runtime-dir", dir.resolve("sink-run").toString()).expect(0);
        assertRestores(1);
        // the source ran the pulled job through its job slot: its status shows the run and its snapshot
        CliRun status = CliRun.of("status", "--json", "--runtime-dir", dir.resolve("source-run").toString());
        assertEquals(0, status.exit(), status.toString());
        assertTrue(status.out().matches("(?s).*\"job\":\"home\".*\"status\":0.*\"snapshot\":\"[0-9a-f]{64}\".*"),
                status.out());
        // the CLI runs the same pull job at the sink; retention (keep_last 1) only applies in the daemon
        CliRun.of("backup", "-c", sink.toString(), "web-1-home").expect(0);
        assertRestores(2);
        CliRun.of("run", "web-1-home", "--wait", "--runtime-dir", dir.resolve("sink-run").toString()).expect(0);
        assertRestores(1);
    }

    @Test
    void theSourceDaemonDialsAndTheSinkDaemonPullsOverThatLink() throws Exception {
        int port = freePort();
        reversePullingSink(port);
        daemon("source", reversePullingSource(port), "reverse pull");
        CliRun.of("run", "web-1-home", "--wait", "--runtime-dir", dir.resolve("sink-run").toString()).expect(0);
        assertRestores(1);
        // after the session the source dials again, so a second pull works too
        CliRun.of("run", "web-1-home", "--wait", "--runtime-dir", dir.resolve("sink-run").toString()).expect(0);
        assertRestores(2);
    }

    /** A reload that moves a reverse-pull job to another sink address stops the old dial and starts the new one. */
    @Test
    void aReloadMovesTheSourceDaemonsDialToTheNewAddress() throws Exception {
        int port = freePort();
        int nobody = freePort();
        reversePullingSink(port);
        Path config = daemon("source", reversePullingSource(nobody), "reverse pull to");
        Files.writeString(config, reversePullingSource(port));
        CliRun reload = CliRun.of("reload", "--runtime-dir", dir.resolve("source-run").toString()).expect(0);
        assertTrue(reload.out().contains("reverse pull to tls 127.0.0.1:" + nobody + ": stopped"), reload.toString());
        assertTrue(reload.out().contains("reverse pull to tls 127.0.0.1:" + port + ": started"), reload.toString());
        assertTrue(reload.out().contains("changed home"), reload.toString());
        CliRun.of("run", "web-1-home", "--wait", "--runtime-dir", dir.resolve("sink-run").toString()).expect(0);
        assertRestores(1);
    }
}
