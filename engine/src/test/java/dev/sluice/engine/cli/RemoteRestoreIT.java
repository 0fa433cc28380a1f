package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.daemon.TlsSinkService;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The key holder works with a job whose repository is a sink without the repository directory: {@code sluice
 * snapshots -c}, {@code restore -c} and {@code check --read-data -c} run over mutual TLS, and a wrong key file
 * fails early (exit 12) for backup and restore.
 */
class RemoteRestoreIT {
    @TempDir
    Path dir;

    @Test
    void snapshotsRestoreAndCheckOfASinkJobRunOverTheLink() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        Instant now = Instant.now();
        var ca = dev.sluice.transport.tls.CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        for (String n : new String[] {"sink", "web-1"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        }
        LocalRepo repo = LocalRepo.create(Files.createDirectories(dir.resolve("sink")));
        Path src = Files.createDirectories(dir.resolve("source/data"));
        TreeFixture.kitchenSink(11).materialise(src);
        Path wrongKey = dir.resolve("wrong.key");
        CliRun.of("key", "init", "--key-file", wrongKey.toString()).expect(0);

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
        Scheduler io = Schedulers.newBoundedElastic(4, 1024, "sink-io");
        TlsSinkService service = TlsSinkService.of(ConfigLoader.load(sinkConfig).global(), Clock.systemUTC(), io);
        service.start();
        try {
            String job = """
                    global: {host: web-1}
                    jobs:
                      - name: home
                        paths: [source/data]
                        key_file: %s
                        repository:
                          sink:
                            tls: {address: 127.0.0.1:%d, server_name: sink, ca: pki/ca.crt,
                                  cert: pki/web-1.crt, key: pki/web-1.key}
                    """;
            Path config = dir.resolve("source.yaml");
            Files.writeString(config, job.formatted(repo.key(), service.address().getPort()));
            Path wrongConfig = dir.resolve("wrong.yaml");
            Files.writeString(wrongConfig, job.formatted(wrongKey, service.address().getPort()));

            CliRun wrongPush = CliRun.of("backup", "-c", wrongConfig.toString(), "home").expect(12);
            assertTrue(wrongPush.err().contains(wrongKey + " does not belong to the repository of sink tls"),
                    wrongPush.toString());
            assertEquals(0, Files.list(repo.repo().resolve("data")).count(), "nothing was stored");

            CliRun.of("backup", "-c", config.toString(), "home").expect(0);
            CliRun listed = CliRun.of("snapshots", "-c", config.toString(), "home").expect(0);
            assertTrue(listed.out().contains("1 snapshot(s)"), listed.toString());
            assertTrue(listed.out().contains(src.toAbsolutePath().toString()), "paths need the key: " + listed);

            Path target = dir.resolve("restore");
            CliRun.of("restore", "-c", config.toString(), "home", "--target", target.toString()).expect(0);
            TreeAssert.assertSameTree(src, LocalRepo.restored(target, src));

            // one path of a named snapshot
            String id = CliRun.of("snapshots", "-c", config.toString(), "home", "--json").expect(0).out()
                    .replaceAll("(?s).*\"id\":\"([0-9a-f]{64})\".*", "$1");
            Path part = dir.resolve("part");
            Path hello = src.toAbsolutePath().resolve("data/hello.txt");
            CliRun.of("restore", "-c", config.toString(), "home", id.substring(0, 10), hello.toString(),
                    "--target", part.toString()).expect(0);
            assertEquals("hello\n", Files.readString(part.resolve(hello.toString().substring(1))));
            assertFalse(Files.exists(part.resolve(src.toAbsolutePath().resolve("links").toString().substring(1))));

            CliRun checked = CliRun.of("check", "--read-data", "-c", config.toString(), "home").expect(0);
            assertTrue(checked.out().contains("no problems found (metadata and data of job home at sink tls"),
                    checked.toString());

            CliRun wrongRestore = CliRun.of("restore", "-c", wrongConfig.toString(), "home", "--target",
                    dir.resolve("never").toString()).expect(12);
            assertTrue(wrongRestore.err().contains("does not belong to the repository"), wrongRestore.toString());
            assertFalse(Files.exists(dir.resolve("never")), "nothing was restored");
        } finally {
            service.stop();
            io.dispose();
        }
    }
}
