package dev.sluice.engine.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecialFilesTest {

    @TempDir
    Path tmp;

    @Test
    void mkfifoWithRawNamesInARawDirectory() throws IOException {
        Path dir = Files.createDirectory(RawPath.resolve(tmp, TreeFixture.LONE_C3));
        Path fifo = RawPath.resolve(dir, TreeFixture.NEWLINE);
        SpecialFiles.mkfifo(fifo, 0640);
        FileMeta m = new MetadataReader().read(fifo);
        assertEquals(FileKind.FIFO, m.kind());
        assertEquals(0640, m.mode());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(fifo), s.toList(), "only the fifo is left, no temporary name");
        }
    }

    @Test
    void mknodCreatesDevicesWithTheirNumbers() throws IOException {
        Assumptions.assumeTrue(MetadataRoundTripTest.isRoot(), "mknod of devices needs root");
        Path c = RawPath.resolve(tmp, TreeFixture.INVALID_UTF8);
        long rdev = SpecialFiles.makedev(1, 3);
        SpecialFiles.mknod(c, FileKind.CHAR_DEVICE, 0600, rdev);
        FileMeta m = new MetadataReader().read(c);
        assertEquals(FileKind.CHAR_DEVICE, m.kind());
        assertEquals(rdev, m.rdev());
        assertEquals(0600, m.mode());
        Path b = tmp.resolve("blk");
        SpecialFiles.mknod(b, FileKind.BLOCK_DEVICE, 0660, SpecialFiles.makedev(259, 70000));
        FileMeta bm = new MetadataReader().read(b);
        assertEquals(FileKind.BLOCK_DEVICE, bm.kind());
        assertEquals(259, SpecialFiles.major(bm.rdev()));
        assertEquals(70000, SpecialFiles.minor(bm.rdev()));
    }

    @Test
    void devNumbersRoundTrip() {
        for (long[] mm : new long[][] {{0, 0}, {1, 3}, {8, 1}, {4095, 255}, {4096, 256}, {0xfffff, 0xfffffff}}) {
            long dev = SpecialFiles.makedev(mm[0], mm[1]);
            assertEquals(mm[0], SpecialFiles.major(dev));
            assertEquals(mm[1], SpecialFiles.minor(dev));
        }
        assertEquals(0x0103, SpecialFiles.makedev(1, 3));
    }

    @Test
    void existingNameIsNotReplaced() throws IOException {
        Path f = Files.write(tmp.resolve("taken"), new byte[] {7});
        assertThrows(FileAlreadyExistsException.class, () -> SpecialFiles.mkfifo(f, 0600));
        assertEquals(FileKind.REGULAR, new MetadataReader().read(f).kind());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count(), "temporary fifo removed");
        }
    }

    @Test
    void toolFailureNamesThePathAndCarriesStderr() {
        Path missing = tmp.resolve("no-such-dir").resolve("fifo");
        IOException e = assertThrows(IOException.class, () -> SpecialFiles.mkfifo(missing, 0600));
        assertTrue(e.getMessage().contains("mkfifo failed for " + missing), e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    }

    @Test
    void rejectsKindsItCannotCreate() {
        assertThrows(IllegalArgumentException.class, () -> SpecialFiles.mknod(tmp.resolve("s"), FileKind.SOCKET, 0600, 0));
        assertThrows(IllegalArgumentException.class, () -> SpecialFiles.mkfifo(tmp.resolve("s"), 010000));
    }
}
