package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.fs.FileMeta;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;

/**
 * The receiver's own copy of a file, held by an {@code O_PATH} descriptor taken without following a symlink and
 * read through a channel reopened from {@code /proc/self/fd/N}: the same inode, whatever happens to its name.
 */
final class BasisFile implements MirrorTarget.Basis {

    private final int fd;
    private final NativeCalls.Stat stat;
    private final FileMeta meta;
    private FileChannel channel;
    private final String shown;
    private final DirectoryHandle from;
    private final byte[] name;
    private boolean closed;

    private BasisFile(int fd, NativeCalls.Stat stat, FileMeta meta, String shown, DirectoryHandle from, byte[] name) {
        this.from = from;
        this.name = name.clone();
        this.fd = fd;
        this.stat = stat;
        this.meta = meta;
        this.shown = shown;
    }

    /**
     * The regular file {@code name} of {@code dir}, or null when there is none (missing, a symlink, a directory,
     * a special file).
     *
     * @param fakeSuper read the metadata through the fake-super xattr
     */
    static BasisFile open(DirectoryHandle dir, byte[] name, boolean fakeSuper) throws IOException {
        int fd;
        try {
            fd = dir.open(name, NativeCalls.O_PATH, 0);
        } catch (NoSuchFileException e) {
            return null;
        }
        String shown = dir.describe(name);
        try {
            NativeCalls.Stat st = NativeCalls.fstat(fd, shown);
            if (!st.isRegular()) {
                NativeCalls.close(fd);
                return null;
            }
            FileMeta onDisk = PinnedMetadata.read(fd, shown, st);
            FileMeta meta = fakeSuper ? FakeSuper.decode(onDisk) : onDisk;
            if (meta.kind() != dev.sluice.engine.fs.FileKind.REGULAR) {
                NativeCalls.close(fd);
                return null;
            }
            return new BasisFile(fd, st, meta, shown, dir, name);
        } catch (IOException | RuntimeException e) {
            NativeCalls.close(fd);
            throw e;
        }
    }

    /** Whether this is the entry {@code name} opened through the handle {@code dir} (the same handle object). */
    boolean openedAs(DirectoryHandle dir, byte[] name) {
        return !closed && from == dir && java.util.Arrays.equals(this.name, name);
    }

    int fd() {
        return fd;
    }

    NativeCalls.Stat stat() {
        return stat;
    }

    @Override
    public FileMeta meta() {
        return meta;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return channel().read(dst, position);
    }

    /** The file opened for reading (once) through its descriptor. */
    FileChannel channel() throws IOException {
        if (closed) {
            throw new IllegalStateException("basis " + shown + " is closed");
        }
        if (channel == null) {
            channel = FileChannel.open(PinnedMetadata.pinned(fd), StandardOpenOption.READ);
        }
        return channel;
    }

    /** Whether the file still has the size and change time it had when it was opened (fstat of its descriptor). */
    @Override
    public boolean unchanged() throws IOException {
        NativeCalls.Stat now = NativeCalls.fstat(fd, shown);
        return now.size() == stat.size() && now.mtimeNanos() == stat.mtimeNanos()
                && now.ctimeNanos() == stat.ctimeNanos();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("closing basis " + shown + " failed", e);
        } finally {
            NativeCalls.close(fd);
        }
    }
}
