package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryLayout;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.transport.tls.CertificateAuthority;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice daemon -c sink.yaml} as a real process receives pushes from {@code sluice backup -c} over mutual
 * TLS and, after each session, prunes per its client policy ({@code global.sink.clients.web-1.job_retention.home:
 * keep_last 2}): the sink keeps exactly the planned set (the two newest by its receipt time) of web-1's "home",
 * never touches web-1's "etc" (no policy), and every kept snapshot restores with the source's key.
 */
class SinkRetentionIT {
    @TempDir
    Path dir;

    @Test
    void aSinkDaemonPrunesEachClientJobByItsPolicyAfterEachPush() throws Exception {
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
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path sinkConfig = Files.writeString(dir.resolve("sink.yaml"), """
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
                    prune_schedule: "0 3 1 1 *"
                    clients:
                      web-1:
                        jobs: [home, etc]
                        job_retention: {home: {keep_last: 2}}
                """.formatted(port, repo.repo()));
        Path sourceConfig = Files.writeString(dir.resolve("source.yaml"), """
                global: {host: web-1}
                jobs:
                  - name: home
                    paths: [source/data]
                    key_file: %2$s
                    repository:
                      sink:
                        tls: {address: 127.0.0.1:%1$d, server_name: sink, ca: pki/ca.crt,
                              cert: pki/web-1.crt, key: pki/web-1.key}
                    retention: {keep_last: 1}
                  - name: etc
                    paths: [source/data]
                    key_file: %2$s
                    repository:
                      sink:
                        tls: {address: 127.0.0.1:%1$d, server_name: sink, ca: pki/ca.crt,
                              cert: pki/web-1.crt, key: pki/web-1.key}
                """.formatted(port, repo.key()));
        Path log = dir.resolve("daemon-log");
        Path stderr = log.resolve("stderr");
        Process daemon = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of("-Xmx512m"),
                "daemon", "-c", sinkConfig.toString()), log).start();
        try {
            SluiceProcess.awaitServiceStart(daemon, stderr, "tls listener 127.0.0.1:" + port);
            assertTrue(Files.readString(stderr).contains("service.start service=\"sink retention"),
                    Files.readString(stderr));
            List<SnapshotId> pushed = new ArrayList<>();
            Set<SnapshotId> seen = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                Files.writeString(src.resolve("v.txt"), "version " + i + "\n");
                CliRun.of("backup", "-c", sourceConfig.toString(), "home").expect(0);
                int sessions = i + 1;
                awaitLines(daemon, stderr, l -> l.contains("prune.done job=home peer=sink trigger=session"),
                        sessions);
                List<SnapshotRecord> home = snapshots(repo.repo(), "home");
                List<SnapshotId> fresh = home.stream().map(SnapshotRecord::id).filter(id -> !seen.contains(id))
                        .toList();
                assertEquals(1, fresh.size(), "one new snapshot per push: " + home);
                pushed.add(fresh.get(0));
                seen.add(fresh.get(0));
                assertEquals(Set.copyOf(pushed.subList(Math.max(0, pushed.size() - 2), pushed.size())),
                        Set.copyOf(home.stream().map(SnapshotRecord::id).toList()),
                        "keep_last 2 by receipt time after push " + i);
                assertTrue(home.stream().allMatch(s -> s.host().equals("web-1")), home.toString());
            }
            for (int i = 0; i < 3; i++) {
                CliRun.of("backup", "-c", sourceConfig.toString(), "etc").expect(0);
            }
            assertEquals(3, snapshots(repo.repo(), "etc").size(), "no policy for etc: all kept");
            String logged = Files.readString(stderr);
            assertEquals(4, logged.lines().filter(l -> l.contains("prune.done")).count(),
                    "etc's sessions prune nothing: " + logged);
            assertTrue(logged.contains("prune.scope job=home peer=web-1 trigger=session policy=\"last 2\" kept=2"
                    + " removed=1"), logged);

            for (SnapshotRecord kept : snapshots(repo.repo(), "home")) {
                Path target = dir.resolve("restore-" + kept.id().shortHex());
                repo.restore(kept.id().hex(), target).expect(0);
                int version = pushed.indexOf(kept.id());
                assertEquals("version " + version + "\n",
                        Files.readString(LocalRepo.restored(target, src).resolve("v.txt")));
            }
            repo.check(true).expect(0);

            // while the sink's repository is locked exclusively (a prune by another process), a push waits for it
            Process waiting;
            long accepted = Files.readString(stderr).lines().filter(l -> l.contains("accepted client")).count();
            try (RepositoryLock pruning = RepositoryLock.acquire(new RepositoryLayout(repo.repo()),
                    RepositoryLock.Mode.EXCLUSIVE, new RepositoryLock.Owner("another-host", 4242),
                    java.time.Clock.systemUTC())) {
                waiting = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of(), "backup", "-c",
                        sourceConfig.toString(), "home"), dir.resolve("waiting-log")).start();
                awaitLines(daemon, stderr, l -> l.contains("accepted client"), (int) accepted + 1);
                Thread.sleep(1000); // the sink tries the lock a few times meanwhile
                assertTrue(waiting.isAlive(), "the push ended while the sink's repository was locked");
            }
            assertTrue(waiting.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, waiting.exitValue(), Files.readString(dir.resolve("waiting-log/stderr")));
            awaitLines(daemon, stderr, l -> l.contains("prune.done job=home peer=sink trigger=session"), 5);
            assertEquals(2, snapshots(repo.repo(), "home").size());
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    /** Waits (at most 30 s) until the daemon's log has {@code count} lines matching {@code line}. */
    private static void awaitLines(Process daemon, Path stderr, Predicate<String> line, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String logged = Files.readString(stderr);
            if (logged.lines().filter(line).count() >= count) {
                return;
            }
            if (!daemon.isAlive()) {
                throw new AssertionError("the daemon exited with " + daemon.exitValue() + ":\n" + logged);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the daemon's log has fewer than " + count + " such lines:\n"
                + Files.readString(stderr));
    }

    private static List<SnapshotRecord> snapshots(Path repository, String job) throws Exception {
        try (Repository open = Repository.open(repository)) {
            return open.snapshots().stream().filter(s -> s.job().equals(job)).toList();
        }
    }
}
