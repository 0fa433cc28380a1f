package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.scan.ScanRules;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a hostile sender might try to reach outside the target is refused, and nothing outside changes. */
class MirrorTargetRefusalTest {

    @TempDir
    Path tmp;
    Path target;
    Path outside;
    Map<String, String> outsideBefore;

    @BeforeEach
    void setUp() throws IOException {
        target = Files.createDirectory(tmp.resolve("target"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "secret");
        Files.createDirectory(outside.resolve("dir"));
        outsideBefore = snapshot(tmp, target);
    }

    @AfterEach
    void nothingOutsideChanged() throws IOException {
        assertEquals(outsideBefore, snapshot(tmp, target), "entries outside the target changed");
    }

    /** Every entry below {@code root} except those under {@code skip}, with its kind and content. */
    static Map<String, String> snapshot(Path root, Path skip) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.startsWith(skip) && !p.equals(skip)) {
                    continue;
                }
                String v = Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
                        : "file " + Files.readString(p) + " mode " + Files.getAttribute(p, "unix:mode");
                out.put(root.relativize(p).toString(), v);
            }
        }
        return out;
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static FileMeta meta(FileKind kind, long size) {
        return new FileMeta(kind, kind == FileKind.DIRECTORY ? 0755 : 0644, 0, 0, size, 1_600_000_000_000_000_000L,
                1_600_000_000_000_000_000L, 0, 0, 0, 1, 0, kind == FileKind.SYMLINK ? b("x") : null, null);
    }

    static FileMeta linked(long nlink) {
        return new FileMeta(FileKind.REGULAR, 0644, 0, 0, 1, 1_600_000_000_000_000_000L, 1_600_000_000_000_000_000L, 0, 0, 0,
                nlink, 0, null, null);
    }

    static MirrorOptions options(MirrorOptions.Layout layout, MirrorLimits limits) {
        return new MirrorOptions(layout, true, ScanRules.all(), false, false, 0, limits);
    }

    MirrorTarget open(MirrorOptions.Layout layout) throws IOException {
        return MirrorTarget.open(target, options(layout, MirrorLimits.DEFAULT), MirrorInPlaceTest.CLOCK);
    }

    static void write(MirrorTarget t, String path, String content) throws IOException {
        try (MirrorTarget.FileWriter w = t.file(b(path), meta(FileKind.REGULAR, content.length()))) {
            w.write(ByteBuffer.wrap(b(content)));
            w.commit();
        }
    }

    static void refused(MirrorTarget t, ThrowingAction a) {
        assertThrows(MirrorRefusedException.class, a::run);
    }

    interface ThrowingAction {
        void run() throws IOException;
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a/../../escape", "/tmp/escape", "./a", "a/./b", "a/.", "a//b", "a/", "..", ".", ""})
    void malformedPathsAreRefused(String path) throws IOException {
        for (MirrorOptions.Layout layout : MirrorOptions.Layout.values()) {
            try (MirrorTarget t = open(layout)) {
                t.directory(b("a"), meta(FileKind.DIRECTORY, 0));
                refused(t, () -> t.file(b(path), meta(FileKind.REGULAR, 0)));
                assertThrows(IllegalStateException.class, () -> t.directory(b("b"), meta(FileKind.DIRECTORY, 0)),
                        "a refused run accepts nothing more");
            }
        }
        assertFalse(Files.exists(tmp.resolve("escape")));
    }

    @Test
    void nulBytesInNamesAndTargetsAreRefused() throws IOException {
        try (MirrorTarget t = open(MirrorOptions.Layout.IN_PLACE)) {
            refused(t, () -> t.file(new byte[] {'a', 0, 'b'}, meta(FileKind.REGULAR, 0)));
        }
        try (MirrorTarget t = open(MirrorOptions.Layout.IN_PLACE)) {
            refused(t, () -> t.symlink(b("l"), new byte[] {'/', 0}, meta(FileKind.SYMLINK, 1)));
        }
        try (MirrorTarget t = open(MirrorOptions.Layout.IN_PLACE)) {
            refused(t, () -> t.symlink(b("l"), new byte[0], meta(FileKind.SYMLINK, 1)));
        }
    }

    @Test
    void limitsAreEnforced() throws IOException {
        MirrorLimits small = new MirrorLimits(8, 20, 2, 3, 10, 6);
        try (MirrorTarget t = MirrorTarget.open(target, options(MirrorOptions.Layout.IN_PLACE, small), MirrorInPlaceTest.CLOCK)) {
            refused(t, () -> t.file(b("123456789"), meta(FileKind.REGULAR, 0)));
        }
        try (MirrorTarget t = MirrorTarget.open(target, options(MirrorOptions.Layout.IN_PLACE, small), MirrorInPlaceTest.CLOCK)) {
            t.directory(b("a"), meta(FileKind.DIRECTORY, 0));
            t.directory(b("a/b"), meta(FileKind.DIRECTORY, 0));
            refused(t, () -> t.file(b("a/b/c"), meta(FileKind.REGULAR, 0)));
        }
        try (MirrorTarget t = MirrorTarget.open(target, options(MirrorOptions.Layout.IN_PLACE, small), MirrorInPlaceTest.CLOCK)) {
            refused(t, () -> t.file(b("aaaaaaa/bbbbbbb/cccc"), meta(FileKind.REGULAR, 0)));
        }
        try (MirrorTarget t = MirrorTarget.open(target, options(MirrorOptions.Layout.IN_PLACE, small), MirrorInPlaceTest.CLOCK)) {
            write(t, "1", "");
            write(t, "2", "");
            write(t, "3", "");
            refused(t, () -> write(t, "4", ""));
        }
        try (MirrorTarget t = MirrorTarget.open(target, options(MirrorOptions.Layout.IN_PLACE, small), MirrorInPlaceTest.CLOCK)) {
            MirrorTarget.FileWriter w = t.file(b("big"), meta(FileKind.REGULAR, 11));
            w.write(ByteBuffer.wrap(b("0123456789")));
            refused(t, () -> w.write(ByteBuffer.wrap(b("x"))));
        }
        try (MirrorTarget t = MirrorTarget.open(target, options(MirrorOptions.Layout.IN_PLACE, small), MirrorInPlaceTest.CLOCK)) {
            refused(t, () -> t.symlink(b("l"), b("1234567"), meta(FileKind.SYMLINK, 7)));
        }
        try (Stream<Path> s = Files.list(target)) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith(TargetRun.TEMP_PREFIX)).count(),
                    "no temporary file is left behind");
        }
    }

    @ParameterizedTest
    @EnumSource(MirrorOptions.Layout.class)
    void duplicatesAndOutOfOrderPathsAreRefused(MirrorOptions.Layout layout) throws IOException {
        try (MirrorTarget t = open(layout)) {
            write(t, "a", "first");
            refused(t, () -> write(t, "a", "second"));
        }
        try (MirrorTarget t = open(layout)) {
            t.directory(b("d"), meta(FileKind.DIRECTORY, 0));
            refused(t, () -> t.symlink(b("d"), b("/outside"), meta(FileKind.SYMLINK, 8)));
        }
        try (MirrorTarget t = open(layout)) {
            write(t, "b", "b");
            refused(t, () -> write(t, "a", "a"));
        }
        try (MirrorTarget t = open(layout)) {
            refused(t, () -> write(t, "nodir/x", "parent never given"));
        }
    }

    @ParameterizedTest
    @EnumSource(MirrorOptions.Layout.class)
    void nothingIsWrittenThroughASymlinkTheSenderMade(MirrorOptions.Layout layout) throws IOException {
        byte[] out = RawPath.bytes(outside.resolve("dir"));
        String[] through = {"a/x", "a/y"};
        try (MirrorTarget t = open(layout)) {
            t.symlink(b("a"), out, meta(FileKind.SYMLINK, out.length));
            refused(t, () -> write(t, through[0], "through"));
        }
        try (MirrorTarget t = open(layout)) {
            t.symlink(b("a"), out, meta(FileKind.SYMLINK, out.length));
            refused(t, () -> t.directory(b(through[1]), meta(FileKind.DIRECTORY, 0)));
        }
        try (MirrorTarget t = open(layout)) {
            t.symlink(b("a"), out, meta(FileKind.SYMLINK, out.length));
            refused(t, () -> t.keep(b("a"), meta(FileKind.REGULAR, 0)));
        }
        try (MirrorTarget t = open(layout)) {
            t.symlink(b("a"), out, meta(FileKind.SYMLINK, out.length));
            refused(t, () -> t.hardlink(b("b"), b("a")));
        }
        try (MirrorTarget t = open(layout)) {
            t.symlink(b("a"), out, meta(FileKind.SYMLINK, out.length));
            assertTrue(t.basis(b("a/x")).isEmpty());
            assertTrue(t.basis(b("a")).isEmpty());
            t.finish();
        }
    }

    @Test
    void escapingLinkTargetsAreStoredAsGivenAndNeverFollowed() throws IOException {
        byte[] secret = RawPath.bytes(outside.resolve("secret"));
        try (MirrorTarget t = open(MirrorOptions.Layout.IN_PLACE)) {
            t.symlink(b("abs"), secret, meta(FileKind.SYMLINK, secret.length));
            t.symlink(b("rel"), b("../outside/secret"), meta(FileKind.SYMLINK, 17));
            t.finish();
        }
        assertArrayEquals(secret, RawPath.bytes(Files.readSymbolicLink(target.resolve("abs"))));
        assertEquals("../outside/secret", Files.readSymbolicLink(target.resolve("rel")).toString());
        // the next run replaces the links with files and directories without writing through them
        try (MirrorTarget t = open(MirrorOptions.Layout.IN_PLACE)) {
            assertTrue(t.basis(b("abs")).isEmpty(), "a symlink is never a basis");
            t.directory(b("abs"), meta(FileKind.DIRECTORY, 0));
            write(t, "abs/inside", "inside");
            write(t, "rel", "plain file now");
            t.finish();
        }
        assertTrue(Files.isDirectory(target.resolve("abs"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.isSymbolicLink(target.resolve("rel")));
        assertEquals("plain file now", Files.readString(target.resolve("rel")));
    }

    @Test
    void aKeptFileNeedsABasis() throws IOException {
        try (MirrorTarget t = open(MirrorOptions.Layout.IN_PLACE)) {
            refused(t, () -> t.keep(b("never-there"), meta(FileKind.REGULAR, 0)));
        }
    }

    @Test
    void copyingOutsideTheBasisIsRefused() throws IOException {
        try (MirrorTarget t = open(MirrorOptions.Layout.IN_PLACE)) {
            write(t, "f", "0123456789");
            t.finish();
        }
        try (MirrorTarget t = open(MirrorOptions.Layout.IN_PLACE)) {
            MirrorTarget.FileWriter w = t.file(b("f"), meta(FileKind.REGULAR, 20));
            w.copyFromBasis(0, 5);
            refused(t, () -> w.copyFromBasis(8, 5));
        }
        assertEquals("0123456789", Files.readString(target.resolve("f")));
    }

    @ParameterizedTest
    @EnumSource(MirrorOptions.Layout.class)
    void hardlinksOnlyReachMultiplyLinkedFilesOfThisRun(MirrorOptions.Layout layout) throws IOException {
        try (MirrorTarget t = open(layout)) {
            write(t, "old", "from an earlier run");
            t.finish();
        }
        try (MirrorTarget t = open(layout)) {
            refused(t, () -> t.hardlink(b("new"), b("old")));
        }
        try (MirrorTarget t = open(layout)) {
            refused(t, () -> t.hardlink(b("new"), b("../outside/secret")));
        }
        try (MirrorTarget t = open(layout)) {
            write(t, "single", "nlink 1");
            refused(t, () -> t.hardlink(b("x"), b("single")));
        }
        try (MirrorTarget t = open(layout)) {
            try (MirrorTarget.FileWriter w = t.file(b("a"), linked(2))) {
                w.write(ByteBuffer.wrap(b("a")));
                w.commit();
            }
            t.hardlink(b("b"), b("a"));
            refused(t, () -> t.hardlink(b("c"), b("a")));
        }
    }
}
