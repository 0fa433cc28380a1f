package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore through the real CLI, in-process, of a tree with every kind of file
 * and metadata: the restored tree must equal the original in content and metadata.
 */
class BackupRoundTripIT {
    @TempDir
    Path dir;

    private Path source() throws Exception {
        Path src = dir.resolve("src");
        TreeFixture.kitchenSink(7)
                .sparseFile("big/sparse-1g.img", 1L << 30, 11,
                        new TreeFixture.Island(0, 4096), new TreeFixture.Island(512L << 20, 65536),
                        new TreeFixture.Island((1L << 30) - 100, 100))
                .randomFile("big/random-a.bin", 24 << 20, 12)
                .randomFile("big/random-b.bin", 9 << 20, 13)
                .materialise(src);
        Path many = Files.createDirectories(src.resolve("many"));
        for (int i = 0; i < 2000; i++) {
            Path d = Files.createDirectories(many.resolve("d" + (i % 40)));
            Files.writeString(d.resolve("f" + i + ".txt"), "small file number " + i + "\n".repeat(i % 7));
        }
        return src;
    }

    @Test
    void restoresEveryByteAndEveryBitOfMetadata() throws Exception {
        Path src = source();
        LocalRepo repo = LocalRepo.create(dir);
        CliRun first = repo.backup(src.toString()).expect(0);
        assertTrue(first.json("files_new") > 2000, first.toString());

        Path target = dir.resolve("restore");
        repo.restore("latest", target).expect(0);
        TreeAssert.assertSameTree(src, LocalRepo.restored(target, src), TreeAssert.Options.defaults().withSparse(true));
        repo.check(true).expect(0);
    }

    @Test
    void unchangedTreeReadsNothingAndAddsAlmostNothing() throws Exception {
        Path src = source();
        LocalRepo repo = LocalRepo.create(dir);
        CliRun first = repo.backup(src.toString()).expect(0);
        CliRun second = repo.backup(src.toString()).expect(0);
        assertEquals(0, second.json("bytes_read"), second.toString());
        assertEquals(0, second.json("files_new") + second.json("files_changed"), second.toString());
        assertEquals(first.json("files_new"), second.json("files_unchanged"));
        assertEquals(0, second.json("blobs_added"), "an unchanged tree adds no data blob: " + second);
        // Directory atimes move when the first backup lists them, so some metadata may change once.
        assertTrue(second.json("bytes_added") < 256 * 1024, "an unchanged tree adds almost nothing: " + second);
        CliRun third = repo.backup(src.toString()).expect(0);
        assertEquals(0, third.json("bytes_read"), third.toString());
        assertTrue(third.json("bytes_added") <= second.json("bytes_added"), third.toString());
        assertTrue(second.jsonString("parent").startsWith(first.jsonString("snapshot").substring(0, 8)));
    }

    @Test
    void insertInTheMiddleOfALargeFileAddsOneOrTwoChunks() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path big = src.resolve("big.bin");
        byte[] data = TreeFixture.random(48 << 20, 99);
        Files.write(big, data);
        LocalRepo repo = LocalRepo.create(dir);
        CliRun first = repo.backup(src.toString()).expect(0);

        byte[] inserted = new byte[data.length + 100];
        int middle = data.length / 2;
        System.arraycopy(data, 0, inserted, 0, middle);
        System.arraycopy(TreeFixture.random(100, 5), 0, inserted, middle, 100);
        System.arraycopy(data, middle, inserted, middle + 100, data.length - middle);
        Files.write(big, inserted);

        CliRun second = repo.backup(src.toString()).expect(0);
        assertEquals(1, second.json("files_changed"));
        long dataBlobs = second.json("blobs_added");
        assertTrue(dataBlobs <= 3, "a 100-byte insert should add one or two chunks, added " + dataBlobs + ": " + second);
        assertTrue(second.json("bytes_added") < 10L << 20, "added too much: " + second);
        assertTrue(first.json("bytes_added") > 40L << 20, "first backup stored the file: " + first);

        Path target = dir.resolve("restore");
        repo.restore("latest", target).expect(0);
        TreeAssert.assertSameTree(src, LocalRepo.restored(target, src));
    }

    @Test
    void restoreOfSomePathsOnly() throws Exception {
        Path src = source();
        LocalRepo repo = LocalRepo.create(dir);
        repo.backup(src.toString()).expect(0);
        Path target = dir.resolve("restore");
        repo.restore("latest", target, src.resolve("many/d3").toString()).expect(0);
        Path restored = LocalRepo.restored(target, src);
        assertTrue(Files.isRegularFile(restored.resolve("many/d3/f3.txt")));
        assertTrue(Files.notExists(restored.resolve("many/d4")));
        assertTrue(Files.notExists(restored.resolve("data")));
        TreeAssert.assertSameTree(src.resolve("many/d3"), restored.resolve("many/d3"));
    }

    @Test
    void wrongKeyIsAClearErrorWithItsOwnExitCode() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("a"), "a");
        LocalRepo repo = LocalRepo.create(dir);
        repo.backup(src.toString()).expect(0);
        Path other = dir.resolve("other-key");
        CliRun.of("key", "init", "--key-file", other.toString()).expect(0);
        CliRun wrong = CliRun.of("snapshots", "--repo", repo.repo().toString(), "--key-file", other.toString())
                .expect(ExitCode.WRONG_KEY);
        assertTrue(wrong.err().contains("does not belong to this repository"), wrong.toString());
        CliRun restore = CliRun.of("restore", "--repo", repo.repo().toString(), "--key-file", other.toString(),
                "latest", "--target", dir.resolve("t").toString()).expect(ExitCode.WRONG_KEY);
        assertTrue(Files.notExists(dir.resolve("t")), "nothing restored with a wrong key: " + restore);
    }

    @Test
    void passwordRepositoryWorksAndWrongPasswordIsRefused() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("a"), "a");
        Path pw = Files.writeString(dir.resolve("pw"), "correct horse\n");
        Path bad = Files.writeString(dir.resolve("bad"), "battery staple\n");
        Path repo = dir.resolve("repo");
        CliRun.of("init", "--repo", repo.toString(), "--password-file", pw.toString()).expect(0);
        CliRun.with(java.util.Map.of("SLUICE_REPO", repo.toString(), "SLUICE_PASSWORD_FILE", pw.toString()),
                "backup", src.toString()).expect(0);
        CliRun wrong = CliRun.of("snapshots", "--repo", repo.toString(), "--password-file", bad.toString())
                .expect(ExitCode.WRONG_KEY);
        assertTrue(wrong.err().contains("wrong password"), wrong.toString());
    }

    @Test
    void flippedByteInAPackIsNamedByCheckAndOtherFilesStillRestore() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.write(src.resolve("victim.bin"), TreeFixture.random(6 << 20, 1));
        LocalRepo repo = LocalRepo.create(dir);
        repo.backup(src.toString()).expect(0);
        Path src2 = Files.createDirectories(dir.resolve("src2"));
        Files.writeString(src2.resolve("survivor.txt"), "I live in another pack\n");
        repo.backup(src2.toString()).expect(0);

        Path pack = largestPack(repo.repo());
        try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x40);
        }
        CliRun check = repo.check(true).expect(ExitCode.DAMAGED);
        String name = pack.getFileName().toString();
        assertTrue(check.out().contains(name), "check names the damaged pack " + name + ": " + check);
        assertTrue(check.out().contains("victim.bin"), "check names the file that depends on it: " + check);
        CliRun keyless = repo.check(false).expect(ExitCode.DAMAGED);
        assertTrue(keyless.out().contains(name), "even without the key: " + keyless);

        Path target = dir.resolve("restore");
        repo.restore("latest", target).expect(0);
        assertEquals("I live in another pack\n", Files.readString(LocalRepo.restored(target, src2).resolve("survivor.txt")));
        CliRun broken = repo.restore(firstSnapshot(repo), dir.resolve("restore2")).expect(ExitCode.PARTIAL);
        assertTrue(broken.err().contains("victim.bin"), broken.toString());
        assertTrue(Files.notExists(LocalRepo.restored(dir.resolve("restore2"), src).resolve("victim.bin")),
                "a file whose data is damaged is not left behind with wrong content");
    }

    static Path largestPack(Path repo) throws Exception {
        try (var s = Files.walk(repo.resolve("data"))) {
            return s.filter(Files::isRegularFile).max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
    }

    static String firstSnapshot(LocalRepo repo) {
        CliRun list = CliRun.of("snapshots", "--repo", repo.repo().toString(), "--json").expect(0);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\":\"([0-9a-f]+)\"").matcher(list.out());
        assertTrue(m.find(), list.toString());
        return m.group(1);
    }
}
