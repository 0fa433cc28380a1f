package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.MetadataReader;
import dev.sluice.engine.fs.SpecialFiles;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.scan.ScanRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorInPlaceTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T22:15:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    static MirrorOptions inPlace(boolean delete, ScanRules protect, boolean deleteExcluded) {
        return new MirrorOptions(MirrorOptions.Layout.IN_PLACE, delete, protect, deleteExcluded, false, 0,
                MirrorLimits.DEFAULT);
    }

    @Test
    void kitchenSinkRoundTripGivesAnEqualTree() throws IOException {
        Path source = Files.createDirectory(tmp.resolve("source"));
        TreeFixture.kitchenSink(7).materialise(source);
        Path target = tmp.resolve("target");
        MirrorTargetStats stats;
        try (MirrorTarget t = MirrorTarget.open(target, inPlace(true, ScanRules.all(), false), CLOCK)) {
            stats = MirrorDriver.mirror(source, t);
        }
        TreeAssert.assertSameTree(source, target, TreeAssert.Options.defaults().withSparse(true));
        assertEquals(".", stats.finalTree());
        assertTrue(stats.filesWritten() > 20, stats.toString());
        assertEquals(0, stats.filesKept());
    }

    @Test
    void aFileTakesThePlaceOfADirectoryAndOfASymlinkThatWereThere() throws IOException {
        Path source = Files.createDirectory(tmp.resolve("source"));
        Files.createDirectories(source.resolve("x/deeper"));
        Files.writeString(source.resolve("x/deeper/inner.txt"), "inner\n");
        Files.createSymbolicLink(source.resolve("y"), Path.of("x"));
        Path target = tmp.resolve("target");
        try (MirrorTarget t = MirrorTarget.open(target, inPlace(true, ScanRules.all(), false), CLOCK)) {
            MirrorDriver.mirror(source, t);
        }
        assertTrue(Files.isDirectory(target.resolve("x"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isSymbolicLink(target.resolve("y")));
        try (var tree = Files.walk(source.resolve("x"))) {
            for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        Files.delete(source.resolve("y"));
        Files.writeString(source.resolve("x"), "now a file\n");
        Files.writeString(source.resolve("y"), "a file too\n");
        MirrorTargetStats stats;
        try (MirrorTarget t = MirrorTarget.open(target, inPlace(true, ScanRules.all(), false), CLOCK)) {
            stats = MirrorDriver.mirror(source, t);
        }
        TreeAssert.assertSameTree(source, target, TreeAssert.Options.defaults());
        assertEquals("now a file\n", Files.readString(target.resolve("x")));
        assertEquals(2, stats.filesWritten(), stats.toString());
        try (var names = Files.list(target)) {
            assertEquals(List.of("x", "y"), names.map(n -> n.getFileName().toString()).sorted().toList(),
                    "no temporary file left");
        }
    }

    @Test
    void secondRunKeepsUnchangedFilesAndReplacesChangedOnes() throws IOException {
        Path source = Files.createDirectory(tmp.resolve("source"));
        TreeFixture.kitchenSink(8).materialise(source);
        Path target = tmp.resolve("target");
        try (MirrorTarget t = MirrorTarget.open(target, inPlace(true, ScanRules.all(), false), CLOCK)) {
            MirrorDriver.mirror(source, t);
        }
        long inode = (Long) Files.getAttribute(target.resolve("data/random.bin"), "unix:ino");
        Files.writeString(source.resolve("data/hello.txt"), "changed\n");
        Files.delete(source.resolve("names/with space"));
        MirrorTargetStats stats;
        try (MirrorTarget t = MirrorTarget.open(target, inPlace(true, ScanRules.all(), false), CLOCK)) {
            stats = MirrorDriver.mirror(source, t);
        }
        TreeAssert.assertSameTree(source, target, TreeAssert.Options.defaults());
        assertEquals(inode, (Long) Files.getAttribute(target.resolve("data/random.bin"), "unix:ino"));
        assertEquals(1, stats.filesWritten(), stats.toString());
        assertEquals(1, stats.entriesDeleted(), stats.toString());
    }

    @Test
    void deleteRemovesExtraneousButProtectsExcludedNamesUnlessAsked() throws IOException {
        Path source = Files.createDirectory(tmp.resolve("source"));
        TreeFixture.create().file("keep/a", "a").file("b", "b").materialise(source);
        Path target = tmp.resolve("target");
        TreeFixture.create().file("keep/old", "old").file("keep/cache.tmp", "protected")
                .dir("gone/deep").file("gone/deep/x", "x").file("gone/deep/y.tmp", "protected too")
                .materialise(Files.createDirectories(target));
        ScanRules protect = ScanRules.of(List.of(), List.of("*.tmp"), false, false);
        try (MirrorTarget t = MirrorTarget.open(target, inPlace(true, protect, false), CLOCK)) {
            MirrorDriver.mirror(source, t);
        }
        assertFalse(Files.exists(target.resolve("keep/old")));
        assertFalse(Files.exists(target.resolve("gone/deep/x")));
        assertTrue(Files.exists(target.resolve("keep/cache.tmp")));
        assertTrue(Files.exists(target.resolve("gone/deep/y.tmp")));
        assertArrayEquals("a".getBytes(), Files.readAllBytes(target.resolve("keep/a")));

        try (MirrorTarget t = MirrorTarget.open(target, inPlace(true, protect, true), CLOCK)) {
            MirrorDriver.mirror(source, t);
        }
        TreeAssert.assertSameTree(source, target);
    }

    @Test
    void specialFilesAreMadeWithTheirKindModeAndDeviceNumber() throws IOException {
        Assumptions.assumeTrue(TargetRun.runningAsRoot(), "device nodes need root");
        Path target = tmp.resolve("target");
        long rdev = SpecialFiles.makedev(1, 3);
        try (MirrorTarget t = MirrorTarget.open(target, inPlace(true, ScanRules.all(), false), CLOCK)) {
            t.special(b("blk"), special(FileKind.BLOCK_DEVICE, 0640, SpecialFiles.makedev(7, 0)));
            t.special(b("chr"), special(FileKind.CHAR_DEVICE, 0666, rdev));
            t.special(b("fifo"), special(FileKind.FIFO, 0620, 0));
            t.special(b("sock"), special(FileKind.SOCKET, 0755, 0));
            t.finish();
        }
        MetadataReader reader = new MetadataReader();
        for (String name : List.of("blk", "chr", "fifo", "sock")) {
            FileMeta m = reader.read(target.resolve(name));
            assertEquals(1_500_000_000_123_456_789L, m.mtimeNanos(), name);
            assertEquals(4242, m.uid(), name);
        }
        assertEquals(FileKind.CHAR_DEVICE, reader.read(target.resolve("chr")).kind());
        assertEquals(rdev, reader.read(target.resolve("chr")).rdev());
        assertEquals(0666, reader.read(target.resolve("chr")).mode());
        assertEquals(FileKind.SOCKET, reader.read(target.resolve("sock")).kind());
        assertEquals(0755, reader.read(target.resolve("sock")).mode());
        assertEquals(FileKind.FIFO, reader.read(target.resolve("fifo")).kind());
        assertEquals(FileKind.BLOCK_DEVICE, reader.read(target.resolve("blk")).kind());
    }

    static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static FileMeta special(FileKind kind, int mode, long rdev) {
        long t = 1_500_000_000_123_456_789L;
        return new FileMeta(kind, mode, 4242, 4343, 0, t, t, 0, 0, 0, 1, rdev, null, null);
    }

    @Test
    void withoutDeleteExtraneousEntriesStayButLeftoverTemporaryFilesGo() throws IOException {
        Path source = Files.createDirectory(tmp.resolve("source"));
        TreeFixture.create().file("a", "a").materialise(source);
        Path target = Files.createDirectories(tmp.resolve("target"));
        Files.writeString(target.resolve("extra"), "extra");
        Files.writeString(target.resolve(TargetRun.TEMP_PREFIX + "0011223344556677"), "left by a killed run");
        try (MirrorTarget t = MirrorTarget.open(target, inPlace(false, ScanRules.all(), false), CLOCK)) {
            MirrorDriver.mirror(source, t);
        }
        assertTrue(Files.exists(target.resolve("extra")));
        assertFalse(Files.exists(target.resolve(TargetRun.TEMP_PREFIX + "0011223344556677"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("a", Files.readString(target.resolve("a")));
    }
}
