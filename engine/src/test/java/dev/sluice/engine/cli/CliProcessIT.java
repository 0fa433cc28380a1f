package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executable jar as a real process: locales, kills, heap limits, other users. */
class CliProcessIT {
    @TempDir
    Path dir;

    private CliRun sluice(Map<String, String> env, String... args) throws Exception {
        return SluiceProcess.run(env, SluiceProcess.command(List.of(), List.of(), args),
                dir.resolve("log-" + System.nanoTime()), 5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "C.UTF-8"})
    void namesThatAreNotUtf8RoundTripUnderAnyLocale(String locale) throws Exception {
        Path src = dir.resolve("src");
        TreeFixture.create()
                .file(TreeFixture.join(TreeFixture.raw("names/"), TreeFixture.INVALID_UTF8), "invalid")
                .file(TreeFixture.join(TreeFixture.raw("names/"), TreeFixture.NEWLINE), "newline")
                .file(TreeFixture.join(TreeFixture.raw("names/"), TreeFixture.LONE_C3), "lone")
                .file("names/\u00fc-\u4e2d\u6587", "utf-8")
                .symlink(TreeFixture.raw("names/link"), TreeFixture.join(TreeFixture.raw("target-"), TreeFixture.INVALID_UTF8))
                .materialise(src);
        Map<String, String> env = Map.of("LC_ALL", locale, "LANG", locale);
        Path key = dir.resolve("key");
        Path repo = dir.resolve("repo");
        sluice(env, "key", "init", "--key-file", key.toString()).expect(0);
        sluice(env, "init", "--repo", repo.toString(), "--key-file", key.toString()).expect(0);
        sluice(env, "backup", "--repo", repo.toString(), "--key-file", key.toString(), src.toString()).expect(0);
        Path target = dir.resolve("restore");
        sluice(env, "restore", "--repo", repo.toString(), "--key-file", key.toString(), "latest",
                "--target", target.toString()).expect(0);
        TreeAssert.assertSameTree(src, LocalRepo.restored(target, src));
    }

    @Test
    void sigkillDuringBackupLeavesACheckableRepositoryAndTheNextRunReusesData() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        for (int i = 0; i < 12; i++) {
            Files.write(src.resolve("f" + i), TreeFixture.random(24 << 20, i));
        }
        LocalRepo repo = LocalRepo.create(dir);
        Path small = Files.createDirectories(dir.resolve("earlier"));
        Files.writeString(small.resolve("keep.txt"), "an earlier snapshot\n");
        repo.backup(small.toString()).expect(0);

        Process p = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of(), "backup", "--repo",
                repo.repo().toString(), "--key-file", repo.key().toString(), src.toString()), dir.resolve("killed")).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (packBytes(repo.repo()) < 60L << 20 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "the backup finished before it could be killed; make the data larger");
        p.destroyForcibly().waitFor();

        repo.check(false).expect(0);
        repo.check(true).expect(0);
        CliRun next = repo.backup(src.toString()).expect(0);
        long total = 12L * (24 << 20);
        assertTrue(next.json("bytes_added") < total - (40L << 20),
                "the next run reuses the packs that arrived before the kill: " + next);
        Path target = dir.resolve("restore");
        repo.restore("latest", target).expect(0);
        TreeAssert.assertSameTree(src, LocalRepo.restored(target, src));
        assertEquals(2, CliRun.of("snapshots", "--repo", repo.repo().toString(), "--json").out().split("\"id\"").length - 1);
    }

    private static long packBytes(Path repo) throws Exception {
        try (var s = Files.walk(repo.resolve("data"))) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void heapStaysBoundedWith200kFilesAndA4GiBFile() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        for (int d = 0; d < 400; d++) {
            Path sub = Files.createDirectories(src.resolve("d" + d));
            for (int f = 0; f < 500; f++) {
                Files.writeString(sub.resolve("file-" + f + ".txt"), "file " + d + "/" + f + "\n");
            }
        }
        byte[] block = TreeFixture.random(8 << 20, 3);
        try (RandomAccessFile big = new RandomAccessFile(src.resolve("big.bin").toFile(), "rw")) {
            for (int i = 0; i < 512; i++) {
                big.write(block);
            }
        }
        LocalRepo repo = LocalRepo.create(dir);
        CliRun run = SluiceProcess.run(Map.of(), SluiceProcess.command(List.of(), List.of("-Xmx256m"), "backup", "--repo",
                repo.repo().toString(), "--key-file", repo.key().toString(), "--json", src.toString()),
                dir.resolve("heap"), 10);
        run.expect(0);
        assertEquals(200_001, run.json("files_new"), run.toString());
        assertTrue(run.json("bytes_read") >= 4L << 30, run.toString());
    }

    @Test
    void unreadableFileIsReportedAndTheSnapshotHasEverythingElse() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv to drop root");
        Path base = Files.createDirectories(dir.resolve("world"));
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Path src = Files.createDirectories(base.resolve("src"));
        Files.writeString(src.resolve("readable.txt"), "fine\n");
        Path secret = Files.writeString(src.resolve("secret.txt"), "nobody may read this\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        List<String> asNobody = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        Path key = base.resolve("key");
        Path repo = base.resolve("repo");
        Map<String, String> env = Map.of("HOME", base.toString());
        CliRun k = SluiceProcess.run(env, SluiceProcess.command(asNobody, List.of(), "key", "init", "--key-file",
                key.toString()), dir.resolve("k"), 2);
        Assumptions.assumeTrue(k.exit() == 0, "cannot run as nobody here: " + k);
        SluiceProcess.run(env, SluiceProcess.command(asNobody, List.of(), "init", "--repo", repo.toString(),
                "--key-file", key.toString()), dir.resolve("i"), 2).expect(0);
        CliRun b = SluiceProcess.run(env, SluiceProcess.command(asNobody, List.of(), "backup", "--repo", repo.toString(),
                "--key-file", key.toString(), src.toString()), dir.resolve("b"), 2);
        b.expect(ExitCode.PARTIAL);
        assertTrue(b.err().contains("secret.txt") && b.err().contains("unreadable"), b.toString());
        Path target = base.resolve("restore");
        SluiceProcess.run(env, SluiceProcess.command(asNobody, List.of(), "restore", "--repo", repo.toString(),
                "--key-file", key.toString(), "latest", "--target", target.toString()), dir.resolve("r"), 2).expect(0);
        assertEquals("fine\n", Files.readString(LocalRepo.restored(target, src).resolve("readable.txt")));
        assertTrue(Files.notExists(LocalRepo.restored(target, src).resolve("secret.txt")));
    }

    @Test
    void fileChangingWhileReadIsReported() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path growing = src.resolve("growing.log");
        Files.write(growing, TreeFixture.random(64 << 20, 8));
        LocalRepo repo = LocalRepo.create(dir);
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            try (RandomAccessFile f = new RandomAccessFile(growing.toFile(), "rw")) {
                long i = 0;
                while (!stop.get()) {
                    f.seek((i++ * 4096) % (64 << 20));
                    f.write(new byte[] {(byte) i});
                    Thread.sleep(1);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        CliRun run;
        try {
            run = sluice(Map.of(), "backup", "--repo", repo.repo().toString(), "--key-file", repo.key().toString(),
                    src.toString());
        } finally {
            stop.set(true);
            writer.join();
        }
        run.expect(ExitCode.PARTIAL);
        assertTrue(run.err().contains("growing.log") && run.err().contains("changed while it was read"), run.toString());
        repo.check(true).expect(0);
    }

    @Test
    void sourceVanishingMidWalkIsReportedAndEarlierSnapshotsStayIntact() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        for (int d = 0; d < 200; d++) {
            Path sub = Files.createDirectories(src.resolve(String.format("d%03d", d)));
            for (int f = 0; f < 50; f++) {
                Files.write(sub.resolve("f" + f), TreeFixture.random(20_000, d * 100 + f));
            }
        }
        LocalRepo repo = LocalRepo.create(dir);
        repo.backup(src.resolve("d000").toString()).expect(0);
        Process p = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of(), "backup", "--repo",
                repo.repo().toString(), "--key-file", repo.key().toString(), src.toString()), dir.resolve("v")).start();
        // Delete the tree from the end while the walk runs from the start.
        for (int d = 199; d >= 100; d--) {
            Path sub = src.resolve(String.format("d%03d", d));
            try (var s = Files.list(sub)) {
                for (Path f : s.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(sub);
        }
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        String err = Files.readString(dir.resolve("v").resolve("stderr"));
        assertTrue(p.exitValue() == 0 || p.exitValue() == ExitCode.PARTIAL, "exit " + p.exitValue() + ": " + err);
        if (p.exitValue() == ExitCode.PARTIAL) {
            assertTrue(err.contains("vanished"), err);
        }
        repo.check(true).expect(0);
        Path target = dir.resolve("restore");
        repo.restore(BackupRoundTripIT.firstSnapshot(repo), target).expect(0);
        assertEquals(50, Files.list(LocalRepo.restored(target, src.resolve("d000"))).count());
    }
}
