package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.repository.Repository;
import dev.sluice.transport.tls.CertificateAuthority;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink daemon (a real process with a real TLS listener) follows {@code sluice reload} towards its peers: a job
 * taken from a client, a certificate name taken from the listener, a listener that cannot bind (the reload is
 * refused and the old listener keeps serving), and a renewed server certificate under the same file names.
 */
class DaemonReloadPeersIT {
    @TempDir
    Path dir;
    private Path repository;
    private Path mirrored;

    @Test
    void reloadChangesWhoMayPushAndWhichCertificateTheListenerShows() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        Path renewed = Files.createDirectories(dir.resolve("renewed"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        for (String n : new String[] {"sink", "web-1", "web-2"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        }
        ca.issue("sink-renewed", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(renewed);
        LocalRepo repo = LocalRepo.create(Files.createDirectories(dir.resolve("sink")));
        repository = repo.repo();
        mirrored = dir.resolve("mirrored");
        Path src = Files.createDirectories(dir.resolve("source/data"));
        Files.writeString(src.resolve("a.txt"), "pushed while the sink reloads\n");
        int port = freePort();
        Path runtime = dir.resolve("run");
        Path sinkConfig = dir.resolve("sink.yaml");
        writeSink(sinkConfig, runtime, port, "web-1", "home", "copy");
        Path asSink = source("sink", port, repo);
        Path asRenewed = source("sink-renewed", port, repo);

        Path log = dir.resolve("daemon-log");
        Process daemon = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of("-Xmx512m"),
                "daemon", "-c", sinkConfig.toString()), log).start();
        try {
            SluiceProcess.awaitServiceStart(daemon, log.resolve("stderr"), "tls listener 127.0.0.1:" + port);
            CliRun.of("backup", "-c", asSink.toString(), "home").expect(0);
            assertEquals(1, snapshots(repo));
            CliRun.of("mirror", "-c", asSink.toString(), "tree").expect(0);
            assertTrue(Files.exists(mirrored.resolve("a.txt")));

            // the sink no longer takes job "home" from web-1: the next push is refused, nothing is stored
            writeSink(sinkConfig, runtime, port, "web-1", "other", "elsewhere");
            CliRun reload = reload(runtime).expect(0);
            assertTrue(reload.out().contains("clients and rate limit updated"), reload.toString());
            assertTrue(reload.out().contains("mirror receiver: clients and targets updated"), reload.toString());
            CliRun refused = CliRun.of("backup", "-c", asSink.toString(), "home");
            assertNotEquals(0, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("home"), refused.toString());
            assertEquals(1, snapshots(repo));
            Files.writeString(src.resolve("b.txt"), "not to be mirrored\n");
            refused = CliRun.of("mirror", "-c", asSink.toString(), "tree");
            assertNotEquals(0, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("copy"), refused.toString());
            assertTrue(!Files.exists(mirrored.resolve("b.txt")), "a refused mirror run wrote a file");

            // the listener no longer admits the certificate name web-1 (the listener stays bound)
            writeSink(sinkConfig, runtime, port, "web-2", "home", "copy");
            reload = reload(runtime).expect(0);
            assertTrue(reload.out().contains("client certificate names updated"), reload.toString());
            assertTrue(!reload.out().contains("bound anew"), reload.toString());
            refused = CliRun.of("backup", "-c", asSink.toString(), "home");
            assertNotEquals(0, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("client map"), refused.toString());

            // a listener that cannot bind refuses the whole reload: web-1 stays refused by the old listener
            try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                writeSink(sinkConfig, runtime, taken.getLocalPort(), "web-1", "home", "copy");
                CliRun failed = reload(runtime);
                assertEquals(ExitCode.USAGE, failed.exit(), failed.toString());
                assertTrue(failed.err().contains(":" + taken.getLocalPort()), failed.toString());
            }
            refused = CliRun.of("backup", "-c", asSink.toString(), "home");
            assertNotEquals(0, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("client map"), "the old listener answers: " + refused);

            // a renewed certificate under the same file names: shown only after the reload binds the listener anew
            Files.copy(renewed.resolve("sink-renewed.crt"), pki.resolve("sink.crt"),
                    StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            Files.copy(renewed.resolve("sink-renewed.key"), pki.resolve("sink.key"),
                    StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            writeSink(sinkConfig, runtime, port, "web-1", "home", "copy");
            CliRun stale = CliRun.of("backup", "-c", asRenewed.toString(), "home");
            assertNotEquals(0, stale.exit(), "the listener still shows the old certificate: " + stale);
            reload = reload(runtime).expect(0);
            assertTrue(reload.out().contains("tls listener 127.0.0.1:" + port + " for push, mirror: bound anew"),
                    reload.toString());
            CliRun.of("backup", "-c", asRenewed.toString(), "home").expect(0);
            assertEquals(2, snapshots(repo));
            CliRun.of("mirror", "-c", asRenewed.toString(), "tree").expect(0);
            assertTrue(Files.exists(mirrored.resolve("b.txt")));
            CliRun old = CliRun.of("backup", "-c", asSink.toString(), "home");
            assertNotEquals(0, old.exit(), "the old certificate's name no longer matches: " + old);
            assertEquals(2, snapshots(repo));
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        String logged = Files.readString(log.resolve("stderr"));
        assertTrue(logged.contains("config.rejected"), logged);
    }

    /**
     * The sink's configuration: its TLS listener on {@code port} admits the certificate name {@code client} (as that
     * identity), which may push {@code job} and mirror into target {@code target}.
     */
    private void writeSink(Path file, Path runtime, int port, String client, String job, String target)
            throws Exception {
        String listenClients = "{" + client + ": " + client + "}";
        String sinkClients = "{" + client + ": {jobs: [" + job + "]}}";
        String mirrorClients = "{" + client + ": {targets: {" + target + ": " + mirrored + "}}}";
        Files.writeString(file, """
                global:
                  runtime_dir: %s
                  metrics: off
                  shutdown_grace: 0s
                  host: sink
                  listen:
                    tls: {address: 127.0.0.1:%d, ca: pki/ca.crt, cert: pki/sink.crt, key: pki/sink.key,
                          clients: %s}
                  sink:
                    repository: %s
                    clients: %s
                  mirror:
                    clients: %s
                """.formatted(runtime, port, listenClients, repository, sinkClients, mirrorClients));
    }

    /** A source configuration of web-1 pushing job "home" and mirroring job "tree" into target "copy", expecting the sink's certificate to name {@code server}. */
    private Path source(String server, int port, LocalRepo repo) throws Exception {
        Path file = dir.resolve("source-" + server + ".yaml");
        Files.writeString(file, """
                global: {host: web-1}
                jobs:
                  - name: home
                    paths: [source/data]
                    key_file: %s
                    repository:
                      sink:
                        tls: {address: 127.0.0.1:%d, server_name: %s, ca: pki/ca.crt,
                              cert: pki/web-1.crt, key: pki/web-1.key}
                  - name: tree
                    type: mirror
                    paths: [source/data]
                    mirror:
                      target: copy
                      tls: {address: 127.0.0.1:%d, server_name: %s, ca: pki/ca.crt,
                            cert: pki/web-1.crt, key: pki/web-1.key}
                """.formatted(repo.key(), port, server, port, server));
        return file;
    }

    private static CliRun reload(Path runtime) {
        return CliRun.of("reload", "--runtime-dir", runtime.toString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return free.getLocalPort();
        }
    }

    private static int snapshots(LocalRepo repo) throws Exception {
        try (Repository open = Repository.open(repo.repo())) {
            return open.snapshots().size();
        }
    }
}
