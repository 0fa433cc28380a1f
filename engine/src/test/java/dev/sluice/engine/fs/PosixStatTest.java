package dev.sluice.engine.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PosixStat} and {@link OpenDirectory} give what the JDK's own "unix:*" view gives. */
class PosixStatTest {
    @TempDir
    Path tmp;

    @Test
    void lstatAndFstatatMatchTheJdksView() throws IOException, InterruptedException {
        Path file = Files.writeString(tmp.resolve("file"), "content");
        Files.setLastModifiedTime(file, FileTime.from(1_234_567_890_123_456_789L, TimeUnit.NANOSECONDS));
        Files.createLink(tmp.resolve("link"), file);
        Files.createDirectory(tmp.resolve("dir"));
        Files.createSymbolicLink(tmp.resolve("sym"), Path.of("file"));
        Files.setLastModifiedTime(tmp.resolve("dir"), FileTime.from(-1_500_000_000L, TimeUnit.MILLISECONDS));
        new ProcessBuilder("mkfifo", tmp.resolve("fifo").toString()).inheritIO().start().waitFor();
        try (OpenDirectory dir = OpenDirectory.open(tmp)) {
            List<String> names = new ArrayList<>();
            for (byte[] n : dir.names()) {
                names.add(new String(n, StandardCharsets.UTF_8));
            }
            names.sort(null);
            assertEquals(List.of("dir", "fifo", "file", "link", "sym"), names);
            for (String name : names) {
                Path p = tmp.resolve(name);
                PosixStat expected = jdk(p);
                assertEquals(expected, PosixStat.lstat(p), name);
                assertEquals(expected, dir.lstat(name.getBytes(StandardCharsets.UTF_8)), name);
            }
        }
        assertEquals(FileKind.SYMLINK, PosixStat.lstat(tmp.resolve("sym")).kind());
        assertEquals(2, PosixStat.lstat(file).nlink());
    }

    @Test
    void aDirectoryCanBeListedAgainThroughTheSameDescriptor() throws IOException {
        Files.writeString(tmp.resolve("one"), "1");
        Files.writeString(tmp.resolve("two"), "2");
        try (OpenDirectory dir = OpenDirectory.open(tmp)) {
            assertEquals(2, dir.names().size());
            assertEquals(2, dir.names().size(), "listing again starts from the beginning");
            assertEquals(FileKind.REGULAR, dir.lstat("one".getBytes(StandardCharsets.UTF_8)).kind());
        }
    }

    @Test
    void missingEntriesAndSymlinkedDirectoriesFailAsTheJdkWouldSay() throws IOException {
        assertThrows(NoSuchFileException.class, () -> PosixStat.lstat(tmp.resolve("missing")));
        Files.createDirectory(tmp.resolve("real"));
        Files.createSymbolicLink(tmp.resolve("alias"), Path.of("real"));
        assertThrows(IOException.class, () -> OpenDirectory.open(tmp.resolve("alias")),
                "a directory that is a symlink is not opened");
        try (OpenDirectory dir = OpenDirectory.open(tmp)) {
            assertThrows(NoSuchFileException.class, () -> dir.lstat("missing".getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void timesSaturateLikeFileTime() {
        assertEquals(Long.MAX_VALUE, PosixStat.nanos(Long.MAX_VALUE / 1000, 0));
        assertEquals(Long.MIN_VALUE, PosixStat.nanos(Long.MIN_VALUE / 1000, 0));
        assertEquals(-1_499_999_999L, PosixStat.nanos(-2, 500_000_001));
        assertEquals(FileTime.from(9_223_372_036L, TimeUnit.SECONDS).to(TimeUnit.NANOSECONDS),
                PosixStat.nanos(9_223_372_036L, 0));
    }

    private static PosixStat jdk(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p,
                "unix:mode,uid,gid,size,lastModifiedTime,lastAccessTime,ctime,dev,ino,nlink,rdev",
                LinkOption.NOFOLLOW_LINKS);
        return new PosixStat((Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"),
                (Long) a.get("size"), nanos(a.get("lastModifiedTime")), nanos(a.get("lastAccessTime")),
                nanos(a.get("ctime")), (Long) a.get("dev"), (Long) a.get("ino"),
                ((Number) a.get("nlink")).longValue(), (Long) a.get("rdev"));
    }

    private static long nanos(Object t) {
        return ((FileTime) t).to(TimeUnit.NANOSECONDS);
    }

}
