package dev.sluice.engine.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.Xattr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The xattr journal: facts answer only for the same path, dev, ino and ctime, and a damaged journal only misses. */
class XattrJournalTest {
    @TempDir
    Path tmp;

    private static byte[] p(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final List<Xattr> COMMENT = List.of(new Xattr("user.comment", p("hello")),
            new Xattr("user.empty", new byte[0]));

    private Path journal() throws IOException {
        Path file = tmp.resolve("cache/j.xattrs");
        try (XattrJournal.Writer w = XattrJournal.write(file)) {
            w.add(p("a"), 1, 10, 100, List.of());
            w.add(p("a/b"), 1, 11, 101, COMMENT);
            w.add(p("a/c"), 1, 12, 102, List.of());
            w.add(p("b"), 2, 13, 103, List.of(new Xattr("user.x", p("y"))));
            w.commit();
        }
        return file;
    }

    @Test
    void factsAnswerInPathOrderOnlyWhenDevInoAndCtimeMatch() throws IOException {
        Path file = journal();
        assertTrue(XattrJournal.trailerMatches(file), "the trailer's CRC32C covers the journal");
        try (XattrJournal.Reader r = XattrJournal.read(file)) {
            assertEquals(List.of(), r.find(p("a"), 1, 10, 100));
            assertEquals(COMMENT, r.find(p("a/b"), 1, 11, 101));
            assertNull(r.find(p("a/c"), 1, 12, 999), "another ctime: the inode changed since");
            assertNull(r.find(p("a/d"), 1, 14, 104), "a path the journal does not have");
            assertEquals(List.of(new Xattr("user.x", p("y"))), r.find(p("b"), 2, 13, 103));
        }
        try (XattrJournal.Reader r = XattrJournal.read(file)) {
            assertNull(r.find(p("a/b"), 1, 99, 101), "another inode under the same name");
            assertNull(r.find(p("a"), 1, 10, 100), "a path asked out of order is a miss");
            assertNull(r.find(p("c"), 2, 13, 103), "the same inode under another path is a miss");
        }
    }

    @Test
    void aJournalThatIsNotCommittedLeavesThePreviousOne() throws IOException {
        Path file = journal();
        byte[] before = Files.readAllBytes(file);
        try (XattrJournal.Writer w = XattrJournal.write(file)) {
            w.add(p("a"), 9, 9, 9, List.of());
        }
        assertTrue(Arrays.equals(before, Files.readAllBytes(file)));
        try (var s = Files.list(file.getParent())) {
            assertEquals(1, s.count(), "the temporary file is removed");
        }
    }

    @Test
    void aMissingOrDamagedJournalOnlyMisses() throws IOException {
        try (XattrJournal.Reader r = XattrJournal.read(tmp.resolve("missing"))) {
            assertNull(r.find(p("a"), 1, 10, 100));
        }
        Path file = journal();
        byte[] good = Files.readAllBytes(file);
        for (int cut = 0; cut < good.length; cut++) {
            Files.write(file, Arrays.copyOf(good, cut));
            try (XattrJournal.Reader r = XattrJournal.read(file)) {
                List<Xattr> found = r.find(p("a/b"), 1, 11, 101);
                assertTrue(found == null || found.equals(COMMENT), "cut at " + cut + ": " + found);
            }
        }
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            byte[] bad = good.clone();
            bad[5 + random.nextInt(bad.length - 5)] ^= (byte) (1 + random.nextInt(255));
            Files.write(file, bad);
            try (XattrJournal.Reader r = XattrJournal.read(file)) {
                r.find(p("a/b"), 1, 11, 101);
                r.find(p("b"), 2, 13, 103);
            }
        }
        Files.write(file, p("not a journal at all"));
        try (XattrJournal.Reader r = XattrJournal.read(file)) {
            assertNull(r.find(p("a"), 1, 10, 100));
        }
        assertFalse(XattrJournal.trailerMatches(file));
    }

    /**
     * A change that only moves ctimes (another link of the inode deleted) keeps the fact, with the new ctime; a fact
     * whose file changed before the change, or whose path is gone after it, is dropped.
     */
    @Test
    void commitAroundCarriesFactsAcrossAChangeThatOnlyMovesCtimes() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        for (String n : new String[] {"a", "b", "c"}) {
            Files.writeString(tree.resolve(n), n);
            Files.createLink(tmp.resolve(n + "-old-link"), tree.resolve(n));
        }
        Path file = tmp.resolve("cache/t.xattrs");
        XattrJournal.Pass pass = XattrJournal.pass(file);
        for (String n : new String[] {"a", "b", "c"}) {
            long[] st = stat(tree, p(n));
            pass.add(p(n), st[0], st[1], st[2], COMMENT);
        }
        Thread.sleep(20); // a ctime the clock can tell from the recorded one
        Files.setPosixFilePermissions(tree.resolve("b"), java.nio.file.attribute.PosixFilePermissions.fromString(
                "rw-------")); // b changes before the change: its fact must go
        long[] aBefore = stat(tree, p("a"));
        pass.commitAround(() -> {
            for (String n : new String[] {"a", "b", "c"}) {
                Files.delete(tmp.resolve(n + "-old-link"));
            }
            Files.delete(tree.resolve("c"));
        }, path -> stat(tree, path));

        long[] a = stat(tree, p("a"));
        long[] b = stat(tree, p("b"));
        assertTrue(a[2] != aBefore[2], "deleting the other link moved a's ctime (else this test proves nothing)");
        try (XattrJournal.Reader r = XattrJournal.read(file)) {
            assertEquals(COMMENT, r.find(p("a"), a[0], a[1], a[2]), "a's fact carries its new ctime");
            assertNull(r.find(p("b"), b[0], b[1], b[2]), "b changed before the change: no fact");
        }
        try (XattrJournal.Reader r = XattrJournal.read(file)) {
            assertNull(r.find(p("a"), aBefore[0], aBefore[1], aBefore[2]), "the old ctime no longer answers");
        }
        assertTrue(XattrJournal.trailerMatches(file));
    }

    private static long[] stat(Path tree, byte[] path) {
        try {
            Path f = tree.resolve(new String(path, StandardCharsets.UTF_8));
            dev.sluice.engine.fs.PosixStat st = dev.sluice.engine.fs.PosixStat.lstat(f);
            return new long[] {st.dev(), st.ino(), st.ctimeNanos()};
        } catch (IOException e) {
            return null;
        }
    }
}
