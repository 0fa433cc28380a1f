package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.daemon.Sshd;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push over ssh between real processes: {@code sluice backup -c source.yaml} dials a real sshd on loopback
 * ({@code repository.sink.ssh}), whose authorized_keys force {@code java -jar sluice.jar stdinserver web-1} into the
 * stdinserver socket of a {@code sluice daemon -c sink.yaml} process; the sink's repository then restores the tree
 * exactly, with the source's key.
 */
class SshPushDaemonIT {
    @TempDir
    Path dir;

    @Test
    void sluiceBackupPushesThroughSshdIntoASinkDaemon() throws Exception {
        Assumptions.assumeTrue(Sshd.available(), "/usr/sbin/sshd is not installed");
        LocalRepo repo = LocalRepo.create(Files.createDirectories(dir.resolve("sink")));
        Path src = Files.createDirectories(dir.resolve("source/data"));
        TreeFixture.create()
                .file("a.txt", "pushed through sshd\n")
                .dir("sub/deeper")
                .randomFile("sub/big.bin", 300 * 1024, 5)
                .file("sub/deeper/c.txt", "c".repeat(9000))
                .symlink("link", "a.txt")
                .materialise(src);
        Path runtime = Files.createDirectory(dir.resolve("sink-run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path sshDir = Files.createDirectory(dir.resolve("ssh"));
        try (Sshd sshd = Sshd.start(sshDir, Map.of("to_sink", Map.entry("web-1", runtime)),
                List.of(SluiceProcess.java(), "-Xmx128m", "-jar", SluiceProcess.jar().toString()))) {
            Path sinkConfig = dir.resolve("sink.yaml");
            Files.writeString(sinkConfig, """
                    global:
                      runtime_dir: sink-run
                      metrics: off
                      shutdown_grace: 0s
                      host: backup-1
                      listen:
                        stdinserver: {clients: [web-1]}
                      sink:
                        repository: %s
                        clients: {web-1: {jobs: [home]}}
                    """.formatted(repo.repo()));
            Process daemon = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of("-Xmx512m"),
                    "daemon", "-c", sinkConfig.toString()), dir.resolve("daemon-log")).start();
            try {
                SluiceProcess.awaitServiceStart(daemon, dir.resolve("daemon-log/stderr"), "stdinserver listener");
                Path sourceConfig = dir.resolve("source.yaml");
                Files.writeString(sourceConfig, """
                        global:
                          host: web-1
                        jobs:
                          - name: home
                            paths: [source/data]
                            key_file: %s
                            chunker: {min: 4KiB, avg: 16KiB, max: 64KiB}
                            repository:
                              sink:
                                ssh:
                                  address: 127.0.0.1:%d
                                  user: %s
                                  identity_file: %s
                                  options: [%s]
                                  identity: web-1
                                  peer: backup-1
                        """.formatted(repo.key(), sshd.port, System.getProperty("user.name"),
                        sshDir.resolve("to_sink"), String.join(", ", sshd.options())));
                CliRun backup = SluiceProcess.run(Map.of(), SluiceProcess.command(List.of(), List.of("-Xmx512m"),
                        "backup", "-c", sourceConfig.toString()), dir.resolve("backup-log"), 2);
                assertEquals(0, backup.exit(), () -> backup + "\nsshd:\n" + sshd.log());

                List<SnapshotRecord> snapshots;
                try (Repository open = Repository.open(repo.repo())) {
                    snapshots = open.snapshots();
                }
                assertEquals(1, snapshots.size());
                assertEquals("home", snapshots.get(0).job());
                assertEquals("web-1", snapshots.get(0).host(), "the sink files the push under the socket's identity");
                Path target = dir.resolve("restore");
                repo.restore("latest", target).expect(0);
                TreeAssert.assertSameTree(src, LocalRepo.restored(target, src));
                assertTrue(sshd.log().contains("Accepted publickey"), sshd.log());
            } finally {
                daemon.destroy();
                if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly();
                }
            }
        }
    }
}
