package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.CacheRoot;
import dev.sluice.engine.fs.PosixStat;
import dev.sluice.engine.fs.Xattr;
import dev.sluice.engine.scan.XattrJournal;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.engine.scan.ScanRules;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The xattr journals of both ends: a run after a change of xattrs at either end makes the target equal to the
 * source again, and a fact whose inode and ctime match is used instead of reading the file (which is the point).
 */
class MirrorXattrJournalTest {
    @TempDir
    Path tmp;

    private final Scheduler io = Schedulers.newBoundedElastic(4, 1000, "mirror-journal-test");
    private Path src;
    private Path target;
    private Path cache;

    @BeforeEach
    void tree() throws IOException {
        src = Files.createDirectories(tmp.resolve("src"));
        target = tmp.resolve("target");
        cache = tmp.resolve("cache");
        Files.writeString(src.resolve("a.txt"), "a\n");
        Files.writeString(src.resolve("b.txt"), "b\n");
        Files.createDirectories(src.resolve("d"));
        Files.writeString(src.resolve("d/c.txt"), "c\n");
        setXattr(src.resolve("a.txt"), "k", "v1");
    }

    @AfterEach
    void stop() {
        io.dispose();
    }

    private MirrorResult mirror() throws IOException {
        MirrorRequest request = new MirrorRequest(List.of(src), ScanRules.all(), "t", MirrorOptions.Layout.IN_PLACE,
                true, false, false, 0);
        return new LocalMirror((dir, o) -> MirrorTarget.open(dir, o, Clock.systemUTC(), Optional.of(cache)),
                MirrorLimits.DEFAULT, io).run(request, target, link -> { }, new MirrorSender(sourceJournal()));
    }

    private Path sourceJournal() {
        return cache.resolve("source.xattrs");
    }

    private Path targetJournal() throws IOException {
        return cache.resolve("mirror").resolve("targets")
                .resolve(CacheRoot.fileName(target.toRealPath().toString()) + ".xattrs");
    }

    @Test
    void xattrsChangedAtEitherEndAreMirroredOnTheNextRun() throws IOException {
        mirror();
        assertTrue(Files.isRegularFile(sourceJournal()) && Files.isRegularFile(targetJournal()), "both journals");
        assertEquals(xattrs(src.resolve("a.txt")), xattrs(target.resolve("a.txt")));

        setXattr(target.resolve("b.txt"), "added", "locally");
        setXattr(target.resolve("a.txt"), "k", "changed at the target");
        setXattr(src.resolve("d/c.txt"), "new", "at the source");
        MirrorResult second = mirror();
        assertEquals(0, second.filesWritten(), "only metadata changed: " + second);
        for (String f : List.of("a.txt", "b.txt", "d/c.txt")) {
            assertEquals(xattrs(src.resolve(f)), xattrs(target.resolve(f)), f);
        }
        assertEquals("at the source", xattrs(target.resolve("d/c.txt")).get("new"));
    }

    @Test
    void theSenderTakesXattrsFromAMatchingFactWithoutReadingTheFile() throws IOException {
        mirror();
        Path a = src.resolve("a.txt");
        PosixStat st = PosixStat.lstat(a);
        try (XattrJournal.Writer w = XattrJournal.write(sourceJournal())) {
            w.add("a.txt".getBytes(StandardCharsets.UTF_8), st.dev(), st.ino(), st.ctimeNanos(),
                    List.of(new Xattr("user.k", "from the journal".getBytes(StandardCharsets.UTF_8))));
            w.commit();
        }
        mirror();
        assertEquals("from the journal", xattrs(target.resolve("a.txt")).get("k"),
                "the fact matched the inode and its ctime, so the file was not read");

        setXattr(a, "k", "v2");
        mirror();
        assertEquals("v2", xattrs(target.resolve("a.txt")).get("k"), "a new ctime makes the fact stale");
    }

    @Test
    void theReceiverTrustsAMatchingFactAboutItsOwnFile() throws IOException {
        mirror();
        Path a = target.resolve("a.txt");
        setXattr(a, "k", "changed behind the journal's back");
        PosixStat st = PosixStat.lstat(a);
        try (XattrJournal.Writer w = XattrJournal.write(targetJournal())) {
            w.add("a.txt".getBytes(StandardCharsets.UTF_8), st.dev(), st.ino(), st.ctimeNanos(),
                    List.of(new Xattr("user.k", "v1".getBytes(StandardCharsets.UTF_8))));
            w.commit();
        }
        mirror();
        assertEquals("changed behind the journal's back", xattrs(a).get("k"),
                "a fact with this inode's ctime was believed (only a forged journal can say so)");

        Files.delete(targetJournal());
        mirror();
        assertEquals("v1", xattrs(a).get("k"), "without the fact, the file is read and mended");
    }

    /**
     * In snapshots with keep_snapshots, deleting the oldest snapshot moves the ctimes of the inodes the new one
     * shares with it; the receiver's facts follow, so the next run does not read every kept file's xattrs again.
     */
    @Test
    void factsSurviveThePruneOfTheOldestSnapshot() throws IOException {
        MirrorRequest snapshots = new MirrorRequest(List.of(src), ScanRules.all(), "t", MirrorOptions.Layout.SNAPSHOTS,
                true, false, false, 1);
        LocalMirror local = new LocalMirror((dir, o) -> MirrorTarget.open(dir, o, Clock.systemUTC(),
                Optional.of(cache)), MirrorLimits.DEFAULT, io);
        local.run(snapshots, target, link -> { }, new MirrorSender(sourceJournal()));
        MirrorResult second = local.run(snapshots, target, link -> { }, new MirrorSender(sourceJournal()));
        try (var names = Files.list(target)) {
            assertEquals(1, names.count(), "keep_snapshots 1 left one snapshot");
        }
        Path tree = target.resolve(second.receiver().finalTree());
        try (XattrJournal.Reader r = XattrJournal.read(targetJournal())) {
            for (String n : new String[] {"a.txt", "b.txt", "d/c.txt"}) {
                PosixStat st = PosixStat.lstat(tree.resolve(n));
                assertTrue(st.nlink() == 1, n + " lost its link in the deleted snapshot");
                assertNotNull(r.find(n.getBytes(StandardCharsets.UTF_8), st.dev(), st.ino(), st.ctimeNanos()),
                        "the journal knows " + n + " as it is after the prune");
            }
        }
        assertEquals("v1", xattrs(tree.resolve("a.txt")).get("k"));
    }

    private static void setXattr(Path p, String name, String value) throws IOException {
        Files.getFileAttributeView(p, UserDefinedFileAttributeView.class)
                .write(name, ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static TreeMap<String, String> xattrs(Path p) throws IOException {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        TreeMap<String, String> out = new TreeMap<>();
        for (String n : v.list()) {
            ByteBuffer b = ByteBuffer.allocate(v.size(n));
            v.read(n, b);
            out.put(n, new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
