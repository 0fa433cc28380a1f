package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.scan.ScanRules;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorSnapshotsTest {

    static final Instant T0 = Instant.parse("2026-11-26T22:15:00Z");

    @TempDir
    Path tmp;

    static Clock at(Duration after) {
        return Clock.fixed(T0.plus(after), ZoneOffset.UTC);
    }

    static MirrorOptions snapshots(int keep) {
        return new MirrorOptions(MirrorOptions.Layout.SNAPSHOTS, true, ScanRules.all(), false, false, keep,
                MirrorLimits.DEFAULT);
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static long inode(Path p) throws IOException {
        return (Long) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    static MirrorTargetStats run(Path source, Path target, MirrorOptions options, Clock clock) throws IOException {
        try (MirrorTarget t = MirrorTarget.open(target, options, clock)) {
            return MirrorDriver.mirror(source, t);
        }
    }

    @Test
    void unchangedFilesAreHardlinkedAndEverySnapshotIsComplete() throws IOException {
        Path source = Files.createDirectory(tmp.resolve("source"));
        TreeFixture.kitchenSink(11).materialise(source);
        Path target = tmp.resolve("target");

        MirrorTargetStats first = run(source, target, snapshots(0), at(Duration.ZERO));
        assertEquals("2026-11-26T221500Z", first.finalTree());
        TreeAssert.assertSameTree(source, target.resolve(first.finalTree()));

        MirrorTargetStats second = run(source, target, snapshots(0), at(Duration.ofHours(1)));
        assertEquals("2026-11-26T231500Z", second.finalTree());
        assertEquals(List.of(first.finalTree(), second.finalTree()), names(target));
        assertEquals(0, second.filesWritten(), second.toString());
        assertTrue(second.filesKept() > 20, second.toString());
        TreeAssert.assertSameTree(source, target.resolve(first.finalTree()));
        TreeAssert.assertSameTree(source, target.resolve(second.finalTree()));
        for (String file : List.of("data/random.bin", "data/sparse.img", "links/pair-1", "links/pair-2",
                "modes/m4755", "xattrs/tagged")) {
            assertEquals(inode(target.resolve(first.finalTree()).resolve(file)),
                    inode(target.resolve(second.finalTree()).resolve(file)), file + " shares its inode");
        }

        // keep_snapshots=2 deletes the first snapshot, which leaves the second whole
        try (MirrorTarget t = MirrorTarget.open(target, snapshots(2), at(Duration.ofHours(2)))) {
            MirrorDriver.mirror(source, t);
        }
        assertEquals(List.of("2026-11-26T231500Z", "2026-11-27T001500Z"), names(target));
        TreeAssert.assertSameTree(source, target.resolve("2026-11-26T231500Z"));
        TreeAssert.assertSameTree(source, target.resolve("2026-11-27T001500Z"));
    }

    @Test
    void changedContentOrMetadataGetsItsOwnInodeAndTheOldSnapshotStays() throws IOException {
        Path source = Files.createDirectory(tmp.resolve("source"));
        TreeFixture.create().file("a", "one").file("b", "bee").file("c", "sea").materialise(source);
        Path target = tmp.resolve("target");
        String first = run(source, target, snapshots(0), at(Duration.ZERO)).finalTree();
        Files.writeString(source.resolve("a"), "two");
        Files.setAttribute(source.resolve("b"), "unix:mode", 0600);
        MirrorTargetStats second = run(source, target, snapshots(0), at(Duration.ZERO));
        assertEquals(first + "-2", second.finalTree(), "a second run in the same second gets a suffix");
        Path old = target.resolve(first);
        Path now = target.resolve(second.finalTree());
        assertEquals("one", Files.readString(old.resolve("a")));
        assertEquals(0644, (Integer) Files.getAttribute(old.resolve("b"), "unix:mode") & 07777);
        TreeAssert.assertSameTree(source, now);
        assertNotEquals(inode(old.resolve("a")), inode(now.resolve("a")));
        assertNotEquals(inode(old.resolve("b")), inode(now.resolve("b")), "a mode change cannot share the inode");
        assertEquals(inode(old.resolve("c")), inode(now.resolve("c")));
        assertEquals(1, second.filesWritten());
        assertEquals(2, second.filesKept());
    }

    @Test
    void anAbortedRunLeavesThePreviousSnapshotsAndItsPartialTreeGoesNextTime() throws IOException {
        Path source = Files.createDirectory(tmp.resolve("source"));
        TreeFixture.kitchenSink(12).materialise(source);
        Path target = tmp.resolve("target");
        String first = run(source, target, snapshots(1), at(Duration.ZERO)).finalTree();
        long inode = inode(target.resolve(first).resolve("data/random.bin"));

        MirrorTarget t = MirrorTarget.open(target, snapshots(1), at(Duration.ofMinutes(1)));
        t.directory(new byte[0], new dev.sluice.engine.fs.MetadataReader().read(source));
        t.directory("data".getBytes(StandardCharsets.US_ASCII), new dev.sluice.engine.fs.MetadataReader().read(source.resolve("data")));
        MirrorTarget.FileWriter w = t.file("data/empty".getBytes(StandardCharsets.US_ASCII),
                new dev.sluice.engine.fs.MetadataReader().read(source.resolve("data/empty")));
        w.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        t.abort();
        assertThrows(IllegalStateException.class, t::finish);
        assertEquals(List.of(".partial-2026-11-26T221600Z", first), names(target));
        TreeAssert.assertSameTree(source, target.resolve(first));

        String third = run(source, target, snapshots(1), at(Duration.ofMinutes(2))).finalTree();
        assertEquals(List.of(third), names(target), "the partial tree is removed and keep_snapshots=1 prunes the first");
        TreeAssert.assertSameTree(source, target.resolve(third));
        assertEquals(inode, inode(target.resolve(third).resolve("data/random.bin")));
        assertFalse(Files.exists(target.resolve(first)));
    }
}
