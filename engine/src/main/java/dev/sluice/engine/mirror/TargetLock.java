package dev.sluice.engine.mirror;

import dev.sluice.engine.mirror.dest.MirrorTarget;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A mirror target held across processes: an fcntl lock ({@link FileChannel#tryLock()}) on
 * {@code cacheRoot/mirror/targets/NAME.lock}, NAME made from the target's real path as for its xattr journal. Every
 * sluice process with the same cache root (the same user with the same XDG_CACHE_HOME or HOME) sees it, and the
 * kernel lets it go when the holding process ends, also when it is killed. The file says who holds it, for the
 * message of a run that is refused. It is never removed: a lock file removed and made again could be locked by two
 * processes at once, each through its own inode.
 */
final class TargetLock implements Closeable {
    /** Longest holder text read back for a message. */
    private static final int HOLDER_MAX = 512;

    private final FileChannel channel;
    private final FileLock lock;

    private TargetLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of the target whose real path is {@code realTarget}. */
    static Path file(Path cacheRoot, Path realTarget) {
        return MirrorTarget.cacheFile(cacheRoot, realTarget, ".lock");
    }

    /**
     * Takes the lock of {@code file} (made when missing, mode 0600) and writes {@code holder} into it; null when
     * another process holds it. This JVM must not hold it already (the receiver's own map sees to that).
     */
    static TargetLock take(Path file, String holder) throws IOException {
        Files.createDirectories(file.getParent());
        FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        try {
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
                return null;
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8)), 0);
            return new TargetLock(ch, l);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Who holds the lock of {@code file}, as its holder wrote it; "another process" when that cannot be read. */
    static String holder(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(HOLDER_MAX);
            ch.read(b, 0);
            String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "another process" : text;
        } catch (IOException e) {
            return "another process";
        }
    }

    /** Lets the target go (the file stays). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
