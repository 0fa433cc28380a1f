package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.MetadataReader;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.fs.SpecialFiles;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.fs.Xattr;
import dev.sluice.engine.scan.ScanEntry;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.engine.scan.Walker;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FakeSuperTest {

    @TempDir
    Path tmp;

    static FileMeta placeholder(Xattr x) {
        return new FileMeta(FileKind.REGULAR, 0600, 65534, 65534, 0, 5, 6, 7, 1, 2, 1, 0, null, List.of(x));
    }

    @Test
    void aDeviceRoundTripsThroughTheXattr() {
        FileMeta device = new FileMeta(FileKind.CHAR_DEVICE, 0620, 0, 5, 0, 5, 6, 7, 1, 2, 1,
                SpecialFiles.makedev(4, 1), null, null);
        Xattr x = FakeSuper.encode(device);
        assertEquals(FakeSuper.XATTR, x.name());
        assertEquals("1 chr 620 0 5 4 1", new String(x.value(), StandardCharsets.US_ASCII));
        FileMeta back = FakeSuper.decode(placeholder(x));
        assertEquals(FileKind.CHAR_DEVICE, back.kind());
        assertEquals(0620, back.mode());
        assertEquals(0, back.uid());
        assertEquals(5, back.gid());
        assertEquals(device.rdev(), back.rdev());
        assertEquals(List.of(), back.xattrs());
    }

    @Test
    void malformedOrInconsistentValuesAreRejected() {
        for (String bad : List.of("", "2 reg 644 0 0 0 0", "1 reg 644 0 0 0", "1 lnk 644 0 0 0 0", "1 reg 99 0 0 0 0",
                "1 reg 644 -1 0 0 0", "1 reg 17777 0 0 0 0", "1 reg 644 0 0 0 0 extra")) {
            Xattr x = new Xattr(FakeSuper.XATTR, bad.getBytes(StandardCharsets.US_ASCII));
            assertThrows(IllegalArgumentException.class, () -> FakeSuper.decode(placeholder(x)), bad);
        }
        Xattr dir = new Xattr(FakeSuper.XATTR, "1 dir 755 0 0 0 0".getBytes(StandardCharsets.US_ASCII));
        assertThrows(IllegalArgumentException.class, () -> FakeSuper.decode(placeholder(dir)), "kind mismatch");
    }

    @Test
    void metadataWithoutTheXattrIsReturnedUnchanged() {
        FileMeta plain = new FileMeta(FileKind.REGULAR, 0644, 1, 2, 3, 4, 5, 6, 7, 8, 1, 0, null,
                List.of(new Xattr("user.other", new byte[] {1})));
        assertEquals(plain, FakeSuper.decode(plain));
    }

    /**
     * As root, builds a tree with foreign owners, a fifo and devices, mirrors it as nobody with fake_super (in a
     * child JVM under setpriv), and reads everything back through {@link FakeSuper#decode}; a second run as nobody
     * keeps every file.
     */
    @ParameterizedTest
    @EnumSource(MirrorOptions.Layout.class)
    void aTreeMirroredByNobodyKeepsOwnersAndDevicesInTheXattr(MirrorOptions.Layout layout) throws Exception {
        Assumptions.assumeTrue(TargetRun.runningAsRoot(), "needs root to make devices and drop to nobody");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        Files.setAttribute(tmp, "unix:mode", 0755);
        Path source = Files.createDirectory(tmp.resolve("source"));
        TreeFixture.create()
                .file("owned/by-1234", "owned")
                .file("owned/suid-root", "suid")
                .mode("owned/suid-root", 04755)
                .fifo("special/fifo")
                .device("special/null", FileKind.CHAR_DEVICE, 1, 3)
                .device("special/loop", FileKind.BLOCK_DEVICE, 7, 0)
                .symlink("special/link", "../owned/by-1234")
                .file("tagged", "x")
                .xattr("tagged", "user.comment", new byte[] {1, 2})
                .materialise(source);
        Files.setAttribute(source.resolve("owned/by-1234"), "unix:uid", 1234);
        Files.setAttribute(source.resolve("owned/by-1234"), "unix:gid", 5678);
        Files.setAttribute(source.resolve("owned"), "unix:uid", 42);
        Files.setAttribute(source.resolve("special/fifo"), "unix:gid", 77);
        Path target = Files.createDirectory(tmp.resolve("target"));
        Files.setAttribute(target, "unix:uid", 65534);
        Files.setAttribute(target, "unix:gid", 65534);
        List<ScanEntry> expected = scan(source);

        Path tree = layout == MirrorOptions.Layout.IN_PLACE ? target : target.resolve("2026-11-26T221500Z");
        runAsNobody(source, target, layout, MirrorSnapshotsTest.T0.toString());
        byte[] root = RawPath.bytes(source);
        MetadataReader reader = new MetadataReader();
        for (ScanEntry e : expected) {
            byte[] rel = MirrorDriver.relative(root, e.path());
            Path p = rel.length == 0 ? tree : TreeFixture.resolve(tree, rel);
            FileMeta disk = reader.read(p);
            if (e.meta().kind() == FileKind.SYMLINK) {
                assertEquals(FileKind.SYMLINK, disk.kind());
                continue;
            }
            assertEquals(65534, disk.uid(), "the receiver owns " + p);
            FileMeta back = FakeSuper.decode(disk);
            FileMeta want = e.meta();
            String what = RawPath.escape(rel);
            assertEquals(want.kind(), back.kind(), what);
            assertEquals(want.mode(), back.mode(), what);
            assertEquals(want.uid(), back.uid(), what);
            assertEquals(want.gid(), back.gid(), what);
            assertEquals(want.rdev(), back.rdev(), what);
            assertEquals(want.mtimeNanos(), back.mtimeNanos(), what);
            assertEquals(want.xattrs(), back.xattrs(), what);
            if (want.kind() == FileKind.REGULAR) {
                assertTrue(Arrays.equals(Files.readAllBytes(e.file()), Files.readAllBytes(p)), what);
            }
        }

        long inode = (Long) Files.getAttribute(tree.resolve("owned/by-1234"), "unix:ino");
        String second = layout == MirrorOptions.Layout.IN_PLACE ? MirrorSnapshotsTest.T0.toString()
                : MirrorSnapshotsTest.T0.plusSeconds(3600).toString();
        runAsNobody(source, target, layout, second);
        Path secondTree = layout == MirrorOptions.Layout.IN_PLACE ? target : target.resolve("2026-11-26T231500Z");
        assertEquals(inode, (Long) Files.getAttribute(secondTree.resolve("owned/by-1234"), "unix:ino"),
                "an unchanged file is kept (in place) or hardlinked (snapshots) through the fake-super view");
    }

    private static List<ScanEntry> scan(Path source) {
        List<ScanEntry> out = new ArrayList<>();
        try (Walker w = new Walker(List.of(source), ScanRules.all())) {
            w.forEachRemaining(out::add);
        }
        return out;
    }

    private static void runAsNobody(Path source, Path target, MirrorOptions.Layout layout, String instant) throws Exception {
        String cp = MirrorKillTest.classpath();
        for (String part : cp.split(File.pathSeparator)) {
            Assumptions.assumeTrue(((Integer) Files.getAttribute(Path.of(part), "unix:mode") & 05) == 05,
                    "class directories must be readable by nobody");
        }
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                MirrorKillTest.java(), "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED", "-cp", cp,
                MirrorChildMain.class.getName(), "mirror", source.toString(), target.toString(), layout.name(), "true",
                instant)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals("done", out.strip());
    }
}
