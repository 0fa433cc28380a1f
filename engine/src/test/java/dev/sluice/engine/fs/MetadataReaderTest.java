package dev.sluice.engine.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks MetadataReader against stat(1), an independent reader of the same inode. */
class MetadataReaderTest {

    @TempDir
    Path tmp;

    @Test
    void matchesStatForEveryKind() throws IOException {
        TreeFixture.create()
                .file("f", "content")
                .mode("f", 04751)
                .times("f", 1_234_567_890_123_456_789L, 1_111_111_111_222_333_444L)
                .dir("d")
                .mode("d", 01777)
                .symlink("l", "dangling/target")
                .fifo("p")
                .materialise(tmp);
        MetadataReader reader = new MetadataReader();
        for (String name : List.of("f", "d", "l", "p")) {
            Path p = tmp.resolve(name);
            FileMeta m = reader.read(p);
            String[] stat = stat(p);
            assertEquals(Integer.parseInt(stat[0], 16) & 07777, m.mode(), name + " mode");
            assertEquals(Integer.parseInt(stat[1]), m.uid(), name + " uid");
            assertEquals(Integer.parseInt(stat[2]), m.gid(), name + " gid");
            assertEquals(Long.parseLong(stat[3]), m.size(), name + " size");
            assertEquals(stat[4], seconds(m.mtimeNanos()), name + " mtime");
            if (!name.equals("l")) {
                // reading a symlink's target (readlink) updates its atime under relatime
                assertEquals(stat[5], seconds(m.atimeNanos()), name + " atime");
            }
            assertEquals(stat[6], seconds(m.ctimeNanos()), name + " ctime");
            assertEquals(Long.parseLong(stat[7]), m.ino(), name + " ino");
            assertEquals(Long.parseLong(stat[8]), m.nlink(), name + " nlink");
            assertEquals(Long.parseLong(stat[9]), m.dev(), name + " dev");
        }
        assertEquals(FileKind.REGULAR, reader.read(tmp.resolve("f")).kind());
        assertEquals(FileKind.DIRECTORY, reader.read(tmp.resolve("d")).kind());
        assertEquals(FileKind.FIFO, reader.read(tmp.resolve("p")).kind());
        FileMeta link = reader.read(tmp.resolve("l"));
        assertEquals(FileKind.SYMLINK, link.kind());
        assertArrayEquals("dangling/target".getBytes(StandardCharsets.US_ASCII), link.linkTarget());
        assertNull(reader.read(tmp.resolve("f")).linkTarget());
        assertEquals(1_234_567_890_123_456_789L, reader.read(tmp.resolve("f")).mtimeNanos());
    }

    @Test
    void readsUserXattrsSortedWithBinaryValues() throws IOException {
        Path f = Files.write(tmp.resolve("x"), new byte[0]);
        UserDefinedFileAttributeView v = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
        v.write("zeta", ByteBuffer.wrap(new byte[] {0, (byte) 0xff}));
        v.write("alpha", ByteBuffer.wrap(new byte[0]));
        FileMeta m = new MetadataReader().read(f);
        assertEquals(List.of(new Xattr("user.alpha", new byte[0]), new Xattr("user.zeta", new byte[] {0, (byte) 0xff})),
                m.xattrs());
    }

    @Test
    void missingEntryIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> new MetadataReader().read(tmp.resolve("absent")));
    }

    @Test
    void fileMetaComparesArraysByContent() {
        FileMeta a = new FileMeta(FileKind.SYMLINK, 0777, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, new byte[] {'a'},
                List.of(new Xattr("user.a", new byte[] {1})));
        FileMeta b = new FileMeta(FileKind.SYMLINK, 0777, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, new byte[] {'a'},
                List.of(new Xattr("user.a", new byte[] {1})));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertThrows(IllegalArgumentException.class, () -> new FileMeta(FileKind.REGULAR, 010000, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new FileMeta(FileKind.REGULAR, 0644, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, new byte[] {1}, List.of()));
    }

    private static String seconds(long nanos) {
        return java.math.BigDecimal.valueOf(nanos, 9).toPlainString();
    }

    /** %f raw mode hex, %u, %g, %s, mtime, atime, ctime with ns, %i, %h, %d. */
    static String[] stat(Path p) throws IOException {
        try {
            Process proc = new ProcessBuilder("stat", "-c", "%f %u %g %s %.9Y %.9X %.9Z %i %h %d", p.toString())
                    .redirectErrorStream(true).start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, proc.waitFor(), out);
            return out.split(" ");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
