package dev.sluice.engine.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataWriterTest {

    private static final long MTIME = 1_234_567_890_123_456_789L;
    private static final long ATIME = 1_111_111_111_987_654_321L;

    @TempDir
    Path tmp;

    private final MetadataReader reader = new MetadataReader();
    private final MetadataWriter writer = new MetadataWriter();

    /** The precision finding: ns for files, directories and specials; µs for symlinks (lutimes). */
    @Test
    void timePrecisionPerKind() throws IOException {
        TreeFixture.create().file("f", "x").dir("d").symlink("l", "nowhere").fifo("p").materialise(tmp);
        for (String name : List.of("f", "d", "l", "p")) {
            Path p = tmp.resolve(name);
            FileMeta now = reader.read(p);
            writer.apply(p, withTimes(now, MTIME, ATIME), false);
            FileMeta after = reader.read(p);
            boolean micro = name.equals("l");
            assertEquals(micro ? MTIME / 1000 * 1000 : MTIME, after.mtimeNanos(), name + " mtime");
            assertEquals(micro ? ATIME / 1000 * 1000 : ATIME, after.atimeNanos(), name + " atime");
        }
    }

    @Test
    void preEpochTimesSurvive() throws IOException {
        Path f = Files.write(tmp.resolve("old"), new byte[0]);
        Path p = tmp.resolve("fifo");
        SpecialFiles.mkfifo(p, 0600);
        for (Path x : List.of(f, p)) {
            writer.apply(x, withTimes(reader.read(x), -1_500_000_001L, -7L), false);
            assertEquals(-1_500_000_001L, reader.read(x).mtimeNanos(), x.toString());
            assertEquals(-7L, reader.read(x).atimeNanos(), x.toString());
        }
    }

    @Test
    void setuidSurvivesOwnershipChangeBecauseModeComesAfterOwner() throws IOException {
        Assumptions.assumeTrue(MetadataRoundTripTest.isRoot(), "chown to another user needs root");
        Path f = Files.write(tmp.resolve("suid"), new byte[] {1});
        FileMeta m = reader.read(f);
        FileMeta wanted = new FileMeta(m.kind(), 06755, 4321, 8765, m.size(), MTIME, ATIME, 0, 0, 0, 1, 0, null, List.of());
        writer.apply(f, wanted, true);
        FileMeta after = reader.read(f);
        assertEquals(06755, after.mode());
        assertEquals(4321, after.uid());
        assertEquals(8765, after.gid());
        assertEquals(MTIME, after.mtimeNanos());
    }

    @Test
    void ownershipOfASymlinkItselfChangesNotItsTarget() throws IOException {
        Assumptions.assumeTrue(MetadataRoundTripTest.isRoot(), "chown needs root");
        Path target = Files.write(tmp.resolve("target"), new byte[] {1});
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        FileMeta m = reader.read(link);
        writer.apply(link, new FileMeta(m.kind(), m.mode(), 999, 998, m.size(), MTIME, ATIME, 0, 0, 0, 1, 0,
                m.linkTarget(), List.of()), true);
        assertEquals(999, reader.read(link).uid());
        assertEquals(0, reader.read(target).uid());
        assertEquals(MTIME / 1000 * 1000, reader.read(link).mtimeNanos());
        assertTrue(reader.read(target).mtimeNanos() != MTIME / 1000 * 1000, "target times untouched");
    }

    @Test
    void xattrsAreReplacedExactly() throws IOException {
        Path f = Files.write(tmp.resolve("x"), new byte[0]);
        UserDefinedFileAttributeView v = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
        v.write("stale", ByteBuffer.wrap(new byte[] {9}));
        FileMeta m = reader.read(f).withXattrs(List.of(new Xattr("user.fresh", new byte[] {0, 1})));
        writer.apply(f, m, false);
        assertEquals(List.of(new Xattr("user.fresh", new byte[] {0, 1})), reader.read(f).xattrs());
        IOException e = assertThrows(IOException.class,
                () -> writer.apply(f, m.withXattrs(List.of(new Xattr("trusted.x", new byte[] {1}))), false));
        assertTrue(e.getMessage().contains("only the user namespace"), e.getMessage());
    }

    @Test
    void refusesMetadataOfAnotherKind() throws IOException {
        Path d = Files.createDirectory(tmp.resolve("dir"));
        Path f = Files.write(tmp.resolve("file"), new byte[0]);
        IOException e = assertThrows(IOException.class, () -> writer.apply(d, reader.read(f), false));
        assertTrue(e.getMessage().contains("DIRECTORY"), e.getMessage());
    }

    static FileMeta withTimes(FileMeta m, long mtime, long atime) {
        return new FileMeta(m.kind(), m.mode(), m.uid(), m.gid(), m.size(), mtime, atime, m.ctimeNanos(),
                m.dev(), m.ino(), m.nlink(), m.rdev(), m.linkTarget(), m.xattrs());
    }
}
