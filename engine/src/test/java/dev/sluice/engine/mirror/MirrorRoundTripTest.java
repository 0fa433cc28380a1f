package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.scan.ScanRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Local mirror runs (sender and receiver over an in-process link) in both layouts, and the delta's cost. */
class MirrorRoundTripTest {
    @TempDir
    Path tmp;

    private final Scheduler io = Schedulers.newBoundedElastic(4, 1000, "mirror-test");

    @AfterEach
    void stop() {
        io.dispose();
    }

    private MirrorResult mirror(Path src, Path target, MirrorOptions.Layout layout) throws IOException {
        MirrorRequest request = new MirrorRequest(List.of(src), ScanRules.all(), "t", layout, true, false, false, 0);
        return new LocalMirror(MirrorTestTargets.factory(), MirrorLimits.DEFAULT, io).run(request, target);
    }

    @Test
    void inPlaceRoundTripEqualsTheSourceAndASecondRunSendsNoContent() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        TreeFixture.kitchenSink(7).materialise(src);
        Path target = tmp.resolve("target");
        MirrorResult first = mirror(src, target, MirrorOptions.Layout.IN_PLACE);
        TreeAssert.assertSameTree(src, target, TreeAssert.Options.defaults());
        assertTrue(first.filesWritten() > 10, "files written: " + first);

        MirrorResult second = mirror(src, target, MirrorOptions.Layout.IN_PLACE);
        TreeAssert.assertSameTree(src, target, TreeAssert.Options.defaults());
        assertEquals(0, second.literalBytes(), "second run: " + second);
        assertEquals(first.filesWritten(), second.filesKept(), "second run: " + second);
    }

    @Test
    void inPlaceKeepsUnchangedSymlinksAndReplacesChangedOnes() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("file"), "x\n");
        Files.createSymbolicLink(src.resolve("same"), Path.of("file"));
        Files.createSymbolicLink(src.resolve("retargeted"), Path.of("file"));
        Path target = tmp.resolve("target");
        mirror(src, target, MirrorOptions.Layout.IN_PLACE);
        Object sameInode = Files.getAttribute(target.resolve("same"), "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.delete(src.resolve("retargeted"));
        Files.createSymbolicLink(src.resolve("retargeted"), Path.of("elsewhere"));
        mirror(src, target, MirrorOptions.Layout.IN_PLACE);
        TreeAssert.assertSameTree(src, target, TreeAssert.Options.defaults());
        assertEquals(sameInode, Files.getAttribute(target.resolve("same"), "unix:ino",
                java.nio.file.LinkOption.NOFOLLOW_LINKS), "an unchanged symlink is left as it is");
        assertEquals(Path.of("elsewhere"), Files.readSymbolicLink(target.resolve("retargeted")));
    }

    @Test
    void inPlaceLeavesEntriesAloneWhoseAtimeIsAllThatDiffers() throws IOException, InterruptedException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.createDirectories(src.resolve("d"));
        Files.writeString(src.resolve("d/f"), "f\n");
        Files.createSymbolicLink(src.resolve("d/l"), Path.of("f"));
        Path target = tmp.resolve("target");
        mirror(src, target, MirrorOptions.Layout.IN_PLACE);
        // someone reads the mirror: the atimes move (here to a fixed second; that moves the ctimes, the run must not)
        List<Path> entries = List.of(target.resolve("d"), target.resolve("d/f"), target.resolve("d/l"));
        for (Path p : entries) {
            Process touch = new ProcessBuilder("touch", "-h", "-a", "-d", "@1600000000", p.toString())
                    .redirectErrorStream(true).start();
            assertEquals(0, touch.waitFor(), new String(touch.getInputStream().readAllBytes()));
        }
        List<Object> ctimes = new java.util.ArrayList<>();
        for (Path p : entries) {
            ctimes.add(Files.getAttribute(p, "unix:ctime", java.nio.file.LinkOption.NOFOLLOW_LINKS));
        }
        MirrorResult again = mirror(src, target, MirrorOptions.Layout.IN_PLACE);
        assertEquals(1, again.filesKept(), again.toString());
        for (int i = 0; i < entries.size(); i++) {
            Path p = entries.get(i);
            assertEquals(ctimes.get(i), Files.getAttribute(p, "unix:ctime", java.nio.file.LinkOption.NOFOLLOW_LINKS),
                    p + ": a run without changes wrote no metadata (the kernel may still move the atime as the run"
                            + " reads the entry, which leaves the ctime)");
        }
        TreeAssert.assertSameTree(src, target, TreeAssert.Options.defaults());
    }

    @Test
    void inPlaceMendsDirectoryMetadataChangedInTheTarget() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.createDirectories(src.resolve("d/e"));
        Files.writeString(src.resolve("d/e/f"), "f\n");
        Path target = tmp.resolve("target");
        mirror(src, target, MirrorOptions.Layout.IN_PLACE);
        mirror(src, target, MirrorOptions.Layout.IN_PLACE);
        Files.setPosixFilePermissions(target.resolve("d"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.getFileAttributeView(target.resolve("d/e"), java.nio.file.attribute.UserDefinedFileAttributeView.class)
                .write("stray", java.nio.ByteBuffer.wrap(new byte[] {1}));
        Files.setLastModifiedTime(target.resolve("d/e"), java.nio.file.attribute.FileTime.fromMillis(0));
        mirror(src, target, MirrorOptions.Layout.IN_PLACE);
        TreeAssert.assertSameTree(src, target, TreeAssert.Options.defaults());
        assertEquals(List.of(), Files.getFileAttributeView(target.resolve("d/e"),
                java.nio.file.attribute.UserDefinedFileAttributeView.class).list(), "the stray xattr is removed");
    }

    @Test
    void snapshotsRoundTripMakesCompleteTreesEachRun() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        TreeFixture.kitchenSink(8).materialise(src);
        Path target = tmp.resolve("target");
        mirror(src, target, MirrorOptions.Layout.SNAPSHOTS);
        List<Path> snaps = MirrorTestTargets.snapshots(target);
        assertEquals(1, snaps.size(), snaps.toString());
        TreeAssert.assertSameTree(src, snaps.get(0), TreeAssert.Options.defaults());
        Files.writeString(src.resolve("data/hello.txt"), "changed\n");
        MirrorResult second = mirror(src, target, MirrorOptions.Layout.SNAPSHOTS);
        List<Path> after = MirrorTestTargets.snapshots(target);
        assertEquals(2, after.size(), after.toString());
        assertTrue(after.contains(target.resolve(second.receiver().finalTree())), second.receiver().finalTree());
        TreeAssert.assertSameTree(src, target.resolve(second.receiver().finalTree()),
                TreeAssert.Options.defaults());
        Path newer = target.resolve(second.receiver().finalTree());
        assertEquals("hello\n", Files.readString(snaps.get(0).resolve("data/hello.txt")), "the old snapshot is kept");
        assertEquals(Files.getAttribute(snaps.get(0).resolve("data/random.bin"), "unix:ino"),
                Files.getAttribute(newer.resolve("data/random.bin"), "unix:ino"), "unchanged files share the inode");
        assertEquals(1, second.filesWritten(), "only hello.txt changed: " + second);
    }

    @Test
    void hundredByteInsertIntoAFourMiBFileMovesAboutOneChunk() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        byte[] data = TreeFixture.random(4 << 20, 11);
        Files.write(src.resolve("big.bin"), data);
        Path target = tmp.resolve("target");
        MirrorResult first = mirror(src, target, MirrorOptions.Layout.IN_PLACE);
        assertEquals(data.length, first.literalBytes());

        byte[] changed = new byte[data.length + 100];
        int at = 1_234_567;
        System.arraycopy(data, 0, changed, 0, at);
        System.arraycopy(TreeFixture.random(100, 12), 0, changed, at, 100);
        System.arraycopy(data, at, changed, at + 100, data.length - at);
        Files.write(src.resolve("big.bin"), changed);
        MirrorResult second = mirror(src, target, MirrorOptions.Layout.IN_PLACE);

        TreeAssert.assertSameTree(src, target, TreeAssert.Options.defaults());
        int maxChunk = MirrorChunking.PARAMS.max();
        assertTrue(second.literalBytes() <= 2L * maxChunk, "literal bytes " + second.literalBytes());
        assertTrue(second.bytesSent() < 2L * maxChunk + 16 * 1024, "bytes on the link " + second.bytesSent());
        assertEquals(changed.length - second.literalBytes(), second.copiedBytes());
    }
}
