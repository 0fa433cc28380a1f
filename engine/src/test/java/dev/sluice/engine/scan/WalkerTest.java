package dev.sluice.engine.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.fs.TreeFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalkerTest {

    @TempDir
    Path tmp;

    @Test
    void walksDepthFirstInPathOrderWithRawNames() throws IOException {
        TreeFixture.kitchenSink(1).materialise(tmp);
        List<ScanEntry> entries = walk(List.of(tmp), ScanRules.all());
        List<byte[]> paths = entries.stream().map(ScanEntry::path).toList();
        List<byte[]> sorted = new ArrayList<>(paths);
        sorted.sort(PathOrder.COMPARATOR);
        for (int i = 0; i < paths.size(); i++) {
            assertArrayEquals(sorted.get(i), paths.get(i), "position " + i);
        }
        assertArrayEquals(RawPath.bytes(tmp), paths.get(0), "the root comes first");
        assertEquals(TreeFixture.kitchenSink(1).paths().size() + 1, entries.size(), "every declared entry and the root");
        assertTrue(entries.stream().allMatch(e -> e.problem() == null), "no problems as root");
        ScanEntry odd = find(entries, TreeFixture.resolve(tmp, TreeFixture.join(TreeFixture.raw("names"), TreeFixture.LONE_C3,
                TreeFixture.INVALID_UTF8, TreeFixture.NEWLINE)));
        assertEquals(FileKind.REGULAR, odd.meta().kind());
        assertEquals(FileKind.FIFO, find(entries, tmp.resolve("special/fifo")).meta().kind());
        assertEquals(FileKind.SYMLINK, find(entries, tmp.resolve("links/dangling")).meta().kind());
    }

    @Test
    void hardlinksPointToTheFirstNameInScanOrder() throws IOException {
        TreeFixture.create().file("b/one", "x").hardlink("a/two", "b/one").hardlink("c/three", "b/one")
                .file("single", "y").materialise(tmp);
        List<ScanEntry> entries = walk(List.of(tmp), ScanRules.all());
        byte[] first = RawPath.bytes(tmp.resolve("a/two"));
        assertNull(find(entries, tmp.resolve("a/two")).hardlinkTo());
        assertArrayEquals(first, find(entries, tmp.resolve("b/one")).hardlinkTo());
        assertArrayEquals(first, find(entries, tmp.resolve("c/three")).hardlinkTo());
        assertNull(find(entries, tmp.resolve("single")).hardlinkTo());
        assertNull(find(entries, tmp.resolve("a")).hardlinkTo(), "directories are never hardlinks");
    }

    @Test
    void excludesDropMatchingEntriesAndWholeDirectories() throws IOException {
        TreeFixture.create().file("keep.txt", "k").file("drop.tmp", "d").file("sub/x.tmp", "d")
                .file("sub/cache/tmp/inner", "i").file("sub/cache/kept", "k").file("build/out/a", "a")
                .materialise(tmp);
        ScanRules rules = ScanRules.of(List.of(), List.of("*.tmp", "cache/tmp", "/" + tmp.toString().substring(1) + "/build"), false, false);
        assertEquals(List.of("", "/keep.txt", "/sub", "/sub/cache", "/sub/cache/kept"), relative(walk(List.of(tmp), rules)));
    }

    @Test
    void includesKeepMatchingFilesAndAllDirectories() throws IOException {
        TreeFixture.create().file("a.txt", "a").file("b.bin", "b").file("d/c.txt", "c").file("d/e.bin", "e")
                .file("inc/deep/f.bin", "f").file("inc/g.txt.tmp", "g").materialise(tmp);
        ScanRules rules = ScanRules.of(List.of("*.txt", "inc"), List.of("*.tmp"), false, false);
        assertEquals(List.of("", "/a.txt", "/d", "/d/c.txt", "/inc", "/inc/deep", "/inc/deep/f.bin"),
                relative(walk(List.of(tmp), rules)));
    }

    @Test
    void taggedCacheDirectoriesKeepOnlyTheirTag() throws IOException {
        TreeFixture.create()
                .file("cache/CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n# a cache")
                .file("cache/blob", "b").file("cache/sub/x", "x")
                .file("fake/CACHEDIR.TAG", "Signature: not the right one").file("fake/blob", "b")
                .materialise(tmp);
        assertEquals(List.of("", "/cache", "/cache/CACHEDIR.TAG", "/fake", "/fake/CACHEDIR.TAG", "/fake/blob"),
                relative(walk(List.of(tmp), ScanRules.of(List.of(), List.of(), false, true))));
        assertEquals(9, walk(List.of(tmp), ScanRules.all()).size(), "without excludeCaches everything is walked");
    }

    @Test
    void oneFileSystemEmitsButDoesNotEnterOtherMounts() throws IOException {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "needs a writable /dev/shm");
        long devDev = (Long) Files.getAttribute(Path.of("/dev"), "unix:dev");
        Assumptions.assumeTrue(devDev != (Long) Files.getAttribute(shm, "unix:dev"), "/dev/shm must be its own mount");
        Path marker = Files.createTempFile(shm, "sluice-walker-", ".marker");
        try {
            List<ScanEntry> cross = walk(List.of(Path.of("/dev")), ScanRules.of(List.of(), List.of(), false, false));
            assertTrue(cross.stream().anyMatch(e -> e.file().equals(marker)), "without oneFileSystem /dev/shm is entered");
            List<ScanEntry> one = walk(List.of(Path.of("/dev")), ScanRules.of(List.of(), List.of(), true, false));
            assertNotNull(find(one, shm), "the mount point itself is emitted");
            assertFalse(one.stream().anyMatch(e -> e.file().startsWith(shm) && !e.file().equals(shm)), "but not entered");
        } finally {
            Files.delete(marker);
        }
    }

    @Test
    void entriesVanishingAfterTheListingBecomeProblems() throws IOException {
        TreeFixture.create().file("d/a", "a").file("d/b", "b").dir("d/c").file("d/c/inner", "i").file("d/z", "z")
                .materialise(tmp);
        List<String> seen = new ArrayList<>();
        List<ScanEntry> problems = new ArrayList<>();
        try (Walker w = new Walker(List.of(tmp.resolve("d")), ScanRules.all())) {
            ScanEntry dir = w.next();
            assertNull(dir.problem());
            Files.delete(tmp.resolve("d/b"));
            Files.delete(tmp.resolve("d/c/inner"));
            Files.delete(tmp.resolve("d/c"));
            while (w.hasNext()) {
                ScanEntry e = w.next();
                seen.add(new String(RawPath.fileName(e.file()), StandardCharsets.UTF_8));
                if (e.problem() != null) {
                    problems.add(e);
                }
            }
        }
        assertEquals(List.of("a", "b", "c", "z"), seen, "the walk goes on after problems");
        assertEquals(2, problems.size());
        for (ScanEntry p : problems) {
            assertEquals(FileProblem.Kind.VANISHED, p.problem().kind());
            assertNull(p.meta());
            assertArrayEquals(p.path(), p.problem().path());
        }
    }

    @Test
    void missingRootIsAProblemAndOtherRootsAreStillWalked() throws IOException {
        Files.write(tmp.resolve("b"), new byte[0]);
        List<ScanEntry> entries = walk(List.of(tmp.resolve("a-missing"), tmp.resolve("b")), ScanRules.all());
        assertEquals(2, entries.size());
        assertEquals(FileProblem.Kind.VANISHED, entries.get(0).problem().kind());
        assertEquals("root does not exist", entries.get(0).problem().message());
        assertNull(entries.get(1).problem());
    }

    @Test
    void rootsAreNormalizedDeduplicatedNestedDroppedAndSorted() throws IOException {
        TreeFixture.create().file("x/y/f", "f").file("a", "a").materialise(tmp);
        List<Path> roots = new Walker(List.of(tmp.resolve("x/y"), tmp.resolve("x/./y/../y"), tmp.resolve("x"),
                tmp.resolve("a"), tmp.resolve("x-sibling")), ScanRules.all()).roots();
        assertEquals(List.of(tmp.resolve("a"), tmp.resolve("x"), tmp.resolve("x-sibling")), roots);
        assertEquals(List.of(Path.of("/")), new Walker(List.of(tmp, Path.of("/")), ScanRules.all()).roots());
    }

    @Test
    void unreadableDirectoryIsAProblemForANonRootUser() throws Exception {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root can read every directory");
        Path closed = Files.createDirectory(tmp.resolve("closed"));
        Files.write(closed.resolve("secret"), new byte[0]);
        Files.setAttribute(closed, "unix:mode", 0);
        try {
            List<ScanEntry> entries = walk(List.of(tmp), ScanRules.all());
            ScanEntry e = find(entries, closed);
            assertEquals(FileProblem.Kind.UNREADABLE, e.problem().kind());
            assertEquals(2, entries.size());
        } finally {
            Files.setAttribute(closed, "unix:mode", 0700);
        }
    }

    @Test
    void closedWalkerYieldsNothing() throws IOException {
        TreeFixture.create().file("a", "a").materialise(tmp);
        Walker w = new Walker(List.of(tmp), ScanRules.all());
        assertTrue(w.hasNext());
        w.close();
        assertFalse(w.hasNext());
    }

    static List<ScanEntry> walk(List<Path> roots, ScanRules rules) {
        List<ScanEntry> out = new ArrayList<>();
        try (Walker w = new Walker(roots, rules)) {
            w.forEachRemaining(out::add);
        }
        return out;
    }

    private List<String> relative(List<ScanEntry> entries) {
        String base = tmp.toString();
        return entries.stream().map(e -> new String(e.path(), StandardCharsets.UTF_8).substring(base.length())).toList();
    }

    static ScanEntry find(List<ScanEntry> entries, Path p) {
        byte[] raw = RawPath.bytes(p);
        return entries.stream().filter(e -> java.util.Arrays.equals(e.path(), raw)).findFirst()
                .orElseThrow(() -> new AssertionError(RawPath.escape(raw) + " not found in " + entries));
    }
}
