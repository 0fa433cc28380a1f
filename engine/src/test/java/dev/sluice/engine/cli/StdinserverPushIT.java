package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.backup.BackupRequest;
import dev.sluice.engine.backup.BackupResult;
import dev.sluice.engine.backup.BackupRunner;
import dev.sluice.engine.backup.ErrorPolicy;
import dev.sluice.engine.chunk.ChunkerParams;
import dev.sluice.engine.compress.BlobCompressor;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.crypto.KeyFile;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.protocol.RemoteBlobSink;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.pipe.PipeLinks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push over the stdinserver path that an ssh forced command takes: the sink daemon (a real process) binds
 * {@code RUNTIME/stdinserver/web-1.sock} from its configuration, the source runs {@code sluice stdinserver web-1}
 * as a child and speaks the link protocol on its stdin/stdout, and the sink's repository restores the tree with
 * the source's key.
 */
class StdinserverPushIT {
    private static final ChunkerParams CHUNKS = new ChunkerParams(4 * 1024, 16 * 1024, 64 * 1024);

    @TempDir
    Path dir;

    @Test
    void aForcedCommandReachesTheConfiguredSink() throws Exception {
        LocalRepo repo = LocalRepo.create(Files.createDirectories(dir.resolve("sink")));
        Path src = Files.createDirectories(dir.resolve("source/data"));
        Files.writeString(src.resolve("a.txt"), "through ssh's forced command\n");
        Files.createDirectories(src.resolve("sub/deeper"));
        byte[] big = new byte[300 * 1024];
        new Random(11).nextBytes(big);
        Files.write(src.resolve("sub/big.bin"), big);
        Files.writeString(src.resolve("sub/deeper/c.txt"), "c".repeat(9000));
        Files.createSymbolicLink(src.resolve("link"), Path.of("a.txt"));

        Path runtime = Files.createDirectory(dir.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path sinkConfig = dir.resolve("sink.yaml");
        Files.writeString(sinkConfig, """
                global:
                  runtime_dir: run
                  metrics: off
                  shutdown_grace: 0s
                  host: sink
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
            Path sockets = runtime.resolve("stdinserver");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sockets)));
            assertTrue(Files.exists(sockets.resolve("web-1.sock")));

            BackupResult result = push(runtime, src);
            assertNotNull(result.snapshot());

            List<SnapshotRecord> snapshots;
            try (Repository open = Repository.open(repo.repo())) {
                snapshots = open.snapshots();
            }
            assertEquals(1, snapshots.size());
            assertEquals("home", snapshots.get(0).job());
            assertEquals("web-1", snapshots.get(0).host(), "the sink records the socket's identity");

            Path target = dir.resolve("restore");
            repo.restore("latest", target).expect(0);
            TreeAssert.assertSameTree(src, LocalRepo.restored(target, src));

            // db-1 is not in listen.stdinserver.clients: it has no socket, and the forced command fails
            assertFalse(Files.exists(sockets.resolve("db-1.sock")));
            CliRun refused = SluiceProcess.run(Map.of(), SluiceProcess.command(List.of(), List.of(),
                    "stdinserver", "db-1", "--runtime-dir", runtime.toString()), dir.resolve("db-1-log"), 2);
            assertEquals(255, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("db-1"), refused.toString());
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    /** What the source side of an ssh push does, with the forced command run directly instead of through sshd. */
    private BackupResult push(Path runtime, Path src) throws Exception {
        Path log = Files.createDirectories(dir.resolve("stdinserver-log"));
        ProcessBuilder pb = new ProcessBuilder(SluiceProcess.command(List.of(), List.of("-Xmx256m"),
                "stdinserver", "web-1", "--runtime-dir", runtime.toString()));
        pb.redirectError(log.resolve("stderr").toFile());
        Process child = pb.start();
        MasterKey key = KeyFile.read(dir.resolve("sink/key"));
        try (PipeLinks pipes = PipeLinks.create();
                Workers workers = Workers.forMachine();
                BlobCodec codec = new BlobCodec(key, new BlobCompressor("zstd", 3))) {
            Link link = pipes.open(child.getInputStream(), child.getOutputStream(), "stdinserver web-1",
                    LinkSpec.DEFAULT, new PeerIdentity("sink"), true).block(Duration.ofSeconds(30));
            assertNotNull(link, "the link handshake did not complete");
            BackupResult result;
            try (RemoteBlobSink remote = RemoteBlobSink.open(link, "home")) {
                BackupRequest request = new BackupRequest("home", "claimed-by-source", List.of(src),
                        ScanRules.all(), true, ErrorPolicy.abort());
                result = new BackupRunner(workers, Clock.systemUTC()).prepare(request, remote, remote, codec, CHUNKS)
                        .execute();
            }
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "sluice stdinserver did not exit after the session");
            assertEquals(0, child.exitValue(), "sluice stdinserver exit status; stderr: "
                    + Files.readString(log.resolve("stderr")));
            return result;
        } finally {
            key.destroy();
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

}
