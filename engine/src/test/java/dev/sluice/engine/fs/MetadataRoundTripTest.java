package dev.sluice.engine.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** Copies the kitchen-sink fixture with sluice's own code and compares with TreeAssert. */
class MetadataRoundTripTest {

    @TempDir
    Path tmp;
    Path src;
    Path dst;

    @BeforeEach
    void copyKitchenSink() throws IOException {
        src = Files.createDirectory(tmp.resolve("src"));
        dst = Files.createDirectory(tmp.resolve("dst"));
        TreeFixture t = TreeFixture.kitchenSink(42);
        if (isRoot()) {
            t.device("special/null-like", FileKind.CHAR_DEVICE, 1, 3)
                    .device("special/block", FileKind.BLOCK_DEVICE, 7, 200)
                    .mode("special/block", 0640);
        }
        t.materialise(src);
        Files.setAttribute(src, "unix:mode", 0750);
        TreeCopy.copy(src, dst, isRoot());
    }

    static boolean isRoot() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/"), "unix:uid") == 0
                && "root".equals(System.getProperty("user.name"));
    }

    @Test
    void copyKeepsEverythingIncludingHoles() throws IOException {
        TreeAssert.assertSameTree(src, dst, TreeAssert.Options.defaults().withSparse(true).withOwnership(isRoot()));
        long allocated = TreeAssert.allocatedBytes(TreeFixture.resolve(dst, TreeFixture.raw("data/sparse.img")));
        assertTrue(allocated < 1 << 20, "a 64 MiB sparse file with 8 KiB of data allocates " + allocated + " bytes");
    }

    @Test
    void detectsAChangedByte() throws IOException {
        Path f = TreeFixture.resolve(dst, TreeFixture.raw("data/random.bin"));
        FileTime mtime = Files.getLastModifiedTime(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) ~readByte(f, 123_456)}), 123_456);
        }
        Files.setLastModifiedTime(f, mtime);
        assertDifference("data/random.bin: content differs first at byte 123456");
    }

    @Test
    void detectsAChangedMode() throws IOException {
        Files.setAttribute(TreeFixture.resolve(dst, TreeFixture.raw("modes/m4755")), "unix:mode", 0755);
        assertDifference("modes/m4755: mode 04755 expected, was 0755");
    }

    @Test
    void detectsAChangedMtimeByOneNanosecond() throws IOException {
        Path f = TreeFixture.resolve(dst, TreeFixture.raw("times/old"));
        long ns = Files.getLastModifiedTime(f).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        Files.setLastModifiedTime(f, FileTime.from(ns + 1, java.util.concurrent.TimeUnit.NANOSECONDS));
        assertDifference("times/old: mtime " + ns + " ns expected, was " + (ns + 1));
    }

    @Test
    void detectsAChangedSymlinkTarget() throws IOException {
        Path l = TreeFixture.resolve(dst, TreeFixture.raw("links/dangling"));
        FileTime mtime = (FileTime) Files.getAttribute(l, "lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        FileTime dirMtime = Files.getLastModifiedTime(l.getParent());
        Files.delete(l);
        Files.createSymbolicLink(l, RawPath.linkTarget("does/not/exisT".getBytes(StandardCharsets.US_ASCII)));
        Files.getFileAttributeView(l, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(mtime, mtime, null);
        Files.setLastModifiedTime(l.getParent(), dirMtime);
        assertDifference("links/dangling: symlink target does/not/exist expected, was does/not/exisT");
    }

    @Test
    void detectsAChangedXattrAndABrokenHardlinkAndAMissingFile() throws IOException {
        Files.getFileAttributeView(TreeFixture.resolve(dst, TreeFixture.raw("xattrs/tagged")),
                UserDefinedFileAttributeView.class).write("comment", ByteBuffer.wrap(new byte[] {1}));
        Path pair2 = TreeFixture.resolve(dst, TreeFixture.raw("links/pair-2"));
        byte[] content = Files.readAllBytes(pair2);
        FileTime mtime = Files.getLastModifiedTime(pair2);
        Files.delete(pair2);
        Files.write(pair2, content);
        Files.setLastModifiedTime(pair2, mtime);
        Files.delete(TreeFixture.resolve(dst, TreeFixture.join(TreeFixture.raw("names"), TreeFixture.NEWLINE)));
        List<String> diffs = TreeAssert.differences(src, dst, TreeAssert.Options.defaults().withOwnership(false));
        String all = String.join("\n", diffs);
        assertTrue(all.contains("xattrs/tagged: xattrs"), all);
        assertTrue(all.contains("links/pair-1: hardlinked with [links/pair-1, links/pair-2] expected, was with [links/pair-1]"), all);
        assertTrue(all.contains("names/new\\x0aline: missing in actual tree"), all);
    }

    private void assertDifference(String expected) throws IOException {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> TreeAssert.assertSameTree(src, dst, TreeAssert.Options.defaults().withOwnership(isRoot())));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, TreeAssert.differences(src, dst, TreeAssert.Options.defaults()).size(), e.getMessage());
    }

    private static byte readByte(Path f, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(f)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            return b.get(0);
        }
    }

    static void assumeRoot() throws IOException {
        Assumptions.assumeTrue(isRoot(), "needs root");
    }
}
