package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.PosixStat;
import dev.sluice.engine.fs.Xattr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PinnedMetadata#applyToCreated}: metadata set on the descriptor of a file the receiver created. */
class PinnedMetadataTest {

    @TempDir
    Path dir;

    private static FileMeta meta(int mode, long mtimeNanos, long atimeNanos) {
        return new FileMeta(FileKind.REGULAR, mode, 0, 0, 0, mtimeNanos, atimeNanos, 0, 0, 0, 1, 0, null, List.of());
    }

    /** Creates {@code name} the way the receiver's writer does and applies {@code m} to it. */
    private void createAndApply(String name, FileMeta m, List<Xattr> xattrs) throws IOException {
        try (DirectoryHandle d = DirectoryHandle.openRoot(dir)) {
            int fd = d.open(name.getBytes(StandardCharsets.US_ASCII),
                    NativeCalls.O_RDWR | NativeCalls.O_CREAT | NativeCalls.O_EXCL, 0600);
            try {
                PosixStat st = NativeCalls.fstat(fd, name);
                PinnedMetadata.applyToCreated(fd, name, m, st, false, m.mode(), xattrs);
            } finally {
                NativeCalls.close(fd);
            }
        }
    }

    @Test
    void modeAndNanosecondTimesAreSetOnTheDescriptor() throws IOException {
        long mtime = 1_700_000_000_123_456_789L;
        long atime = 1_600_000_000_987_654_321L;
        createAndApply("f", meta(0640, mtime, atime), List.of());
        Path f = dir.resolve("f");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(mtime, ((FileTime) Files.getAttribute(f, "lastModifiedTime")).to(TimeUnit.NANOSECONDS));
        assertEquals(atime, ((FileTime) Files.getAttribute(f, "lastAccessTime")).to(TimeUnit.NANOSECONDS));
    }

    @Test
    void aModeWithoutOwnerWriteIsSetLastAndTimesBefore1970InWholeSecondsWork() throws IOException {
        long mtime = -86_400L * 1_000_000_000L;
        createAndApply("g", meta(0444, mtime, mtime), List.of());
        Path g = dir.resolve("g");
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(g)));
        assertEquals(mtime, ((FileTime) Files.getAttribute(g, "lastModifiedTime")).to(TimeUnit.NANOSECONDS));
    }

    @Test
    void userXattrsAreWrittenWhereTheFileSystemHasThem() throws IOException {
        Xattr x = new Xattr("user.sluice-test", "v".getBytes(StandardCharsets.US_ASCII));
        try {
            createAndApply("x", meta(0600, 1_000_000_000L, 1_000_000_000L), List.of(x));
        } catch (IOException e) {
            // a temporary directory on a file system without user xattrs: nothing to check here
            assertTrue(String.valueOf(e.getMessage()).contains("xattr"), e.toString());
            return;
        }
        var view = Files.getFileAttributeView(dir.resolve("x"),
                java.nio.file.attribute.UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        assertEquals(List.of("sluice-test"), view.list());
    }

    @Test
    void aDescriptorOfSomethingOtherThanARegularFileIsRefused() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        try (DirectoryHandle d = DirectoryHandle.openRoot(dir.resolve("sub"))) {
            PosixStat st = NativeCalls.fstat(d.fd(), "sub");
            IOException e = assertThrows(IOException.class, () -> PinnedMetadata.applyToCreated(d.fd(), "sub",
                    meta(0600, 1_000_000_000L, 1_000_000_000L), st, false, 0600, List.of()));
            assertTrue(e.getMessage().contains("sub"), e.getMessage());
        }
    }
}
