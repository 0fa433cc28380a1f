package dev.sluice.engine.repository;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file written under a temporary name, fsynced, renamed into place and made durable by
 * fsyncing the directory: readers see either no file or the whole file, never a part.
 *
 * <p>Use {@link #write} for content that is already in memory; for large files {@link #create}
 * gives a channel to stream into, and the final name may be chosen only at {@link #commit}
 * (packs are named after the hash of their bytes). The temporary file lives in the given
 * directory, which must be on the same file system as the target.
 */
public final class AtomicFile implements Closeable {
    private final Path temp;
    private final FileChannel channel;
    private boolean finished;

    private AtomicFile(Path temp, FileChannel channel) {
        this.temp = temp;
        this.channel = channel;
    }

    /** Creates an empty temporary file {@code prefix*.tmp} in {@code tempDir} (created if needed), mode 0600. */
    public static AtomicFile create(Path tempDir, String prefix) throws IOException {
        Files.createDirectories(tempDir);
        Path temp = Files.createTempFile(tempDir, prefix, ".tmp");
        try {
            return new AtomicFile(temp, FileChannel.open(temp, StandardOpenOption.WRITE));
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Writes {@code content} to {@code target} atomically, using a temporary file in {@code tempDir}. */
    public static void write(Path tempDir, Path target, byte[] content) throws IOException {
        try (AtomicFile file = create(tempDir, target.getFileName().toString() + "-")) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                file.channel().write(buffer);
            }
            file.commit(target);
        }
    }

    /** The channel to write into; it is positioned at the end of what was written so far. */
    public FileChannel channel() {
        return channel;
    }

    /** The temporary file's path (for messages). */
    public Path tempPath() {
        return temp;
    }

    /**
     * Forces the content to disk, renames the temporary file to {@code target} (replacing an
     * existing file) and fsyncs the target's directory (and its parent if it had to be created).
     */
    public void commit(Path target) throws IOException {
        if (finished) {
            throw new IllegalStateException("temporary file " + temp + " was already committed or aborted");
        }
        try {
            channel.force(true);
            channel.close();
            Path dir = target.toAbsolutePath().getParent();
            boolean created = !Files.isDirectory(dir);
            if (created) {
                Files.createDirectories(dir);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            finished = true;
            syncDirectory(dir);
            if (created && dir.getParent() != null) {
                syncDirectory(dir.getParent());
            }
        } catch (IOException e) {
            if (!finished) {
                abort();
            }
            throw new IOException("could not write " + target + " atomically (via " + temp + "): " + e.getMessage(), e);
        }
    }

    /** Closes and deletes the temporary file; does nothing after a commit or an earlier abort. */
    public void abort() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        try {
            channel.close();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Aborts unless committed. */
    @Override
    public void close() throws IOException {
        abort();
    }

    /** Makes a directory's entries (creations, renames, deletions) durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
