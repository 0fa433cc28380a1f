package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.PosixStat;
import dev.sluice.engine.fs.Xattr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The receiver's own copy of a file. It is found with {@code fstatat} (no symlink followed); its xattrs come from
 * the target's {@link dev.sluice.engine.scan.XattrJournal} when the inode is unchanged since they were recorded, else
 * from an {@code O_PATH} descriptor taken at once. The descriptor (needed to read, copy or change the file) is
 * otherwise taken on first use and checked to hold the inode that was looked at; reading goes through a channel
 * reopened from {@code /proc/self/fd/N}: the same inode, whatever happens to its name.
 */
final class BasisFile implements MirrorTarget.Basis {

    /** What the journal knows about an inode's xattrs; null when it does not know. */
    @FunctionalInterface
    interface KnownXattrs {
        KnownXattrs NONE = (dev, ino, ctime) -> null;

        List<Xattr> find(long dev, long ino, long ctime);
    }

    private int fd;
    private final PosixStat stat;
    private final FileMeta meta;
    private final List<Xattr> diskXattrs;
    private FileChannel channel;
    private final DirectoryHandle from;
    private final byte[] name;
    private boolean closed;

    private BasisFile(int fd, PosixStat stat, FileMeta meta, List<Xattr> diskXattrs, DirectoryHandle from,
            byte[] name) {
        this.from = from;
        this.name = name.clone();
        this.fd = fd;
        this.stat = stat;
        this.meta = meta;
        this.diskXattrs = diskXattrs;
    }

    /**
     * The regular file {@code name} of {@code dir}, or null when there is none (missing, a symlink, a directory,
     * a special file).
     *
     * @param fakeSuper read the metadata through the fake-super xattr
     */
    static BasisFile open(DirectoryHandle dir, byte[] name, boolean fakeSuper) throws IOException {
        return open(dir, name, fakeSuper, KnownXattrs.NONE);
    }

    /** As {@link #open(DirectoryHandle, byte[], boolean)}, taking xattrs from {@code known} when it has them. */
    static BasisFile open(DirectoryHandle dir, byte[] name, boolean fakeSuper, KnownXattrs known) throws IOException {
        PosixStat looked = dir.lstat(name);
        if (looked == null || !looked.isRegular()) {
            return null;
        }
        List<Xattr> xattrs = known.find(looked.dev(), looked.ino(), looked.ctimeNanos());
        int fd = -1;
        PosixStat st = looked;
        try {
            if (xattrs == null) {
                String shown = dir.describe(name);
                try {
                    fd = dir.open(name, NativeCalls.O_PATH, 0);
                } catch (NoSuchFileException e) {
                    return null;
                }
                st = NativeCalls.fstat(fd, shown);
                if (!st.isRegular()) {
                    NativeCalls.close(fd);
                    return null;
                }
                xattrs = PinnedMetadata.read(fd, shown, st).xattrs();
            }
            FileMeta onDisk = PinnedMetadata.meta(st, xattrs);
            FileMeta meta = fakeSuper ? FakeSuper.decode(onDisk) : onDisk;
            if (meta.kind() != FileKind.REGULAR) {
                if (fd >= 0) {
                    NativeCalls.close(fd);
                }
                return null;
            }
            return new BasisFile(fd, st, meta, xattrs, dir, name);
        } catch (IOException | RuntimeException e) {
            if (fd >= 0) {
                NativeCalls.close(fd);
            }
            throw e;
        }
    }

    /** The file's name for messages (built only when needed: most bases are looked at and never mentioned). */
    private String shown() {
        return from.describe(name);
    }

    /** Whether this is the entry {@code name} opened through the handle {@code dir} (the same handle object). */
    boolean openedAs(DirectoryHandle dir, byte[] name) {
        return !closed && from == dir && java.util.Arrays.equals(this.name, name);
    }

    /**
     * An {@code O_PATH} descriptor of the inode that was looked at; taken on first use, when the name must still
     * lead to that inode (else the file was replaced during the run and this fails).
     */
    int fd() throws IOException {
        if (closed) {
            throw new IllegalStateException("basis " + shown() + " is closed");
        }
        if (fd < 0) {
            int opened = from.open(name, NativeCalls.O_PATH, 0);
            try {
                PosixStat now = NativeCalls.fstat(opened, shown());
                if (now.dev() != stat.dev() || now.ino() != stat.ino() || now.ctimeNanos() != stat.ctimeNanos()) {
                    throw new IOException("basis file " + shown() + " was replaced or changed during the run");
                }
            } catch (IOException | RuntimeException e) {
                NativeCalls.close(opened);
                throw e;
            }
            fd = opened;
        }
        return fd;
    }

    PosixStat stat() {
        return stat;
    }

    /** The xattrs as they are on disk (with a fake-super record, when there is one). */
    List<Xattr> diskXattrs() {
        return diskXattrs;
    }

    @Override
    public FileMeta meta() {
        return meta;
    }

    @Override
    public FileStamp stamp() {
        return new FileStamp(stat.dev(), stat.ino(), stat.size(), stat.mtimeNanos(), stat.ctimeNanos());
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return channel().read(dst, position);
    }

    /** The file opened for reading (once) through its descriptor. */
    FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(PinnedMetadata.pinned(fd()), StandardOpenOption.READ);
        }
        return channel;
    }

    /** Whether the file still has the size and change time it had when it was opened (fstat of its descriptor). */
    @Override
    public boolean unchanged() throws IOException {
        PosixStat now = NativeCalls.fstat(fd(), shown());
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
            throw new java.io.UncheckedIOException("closing basis " + shown() + " failed", e);
        } finally {
            if (fd >= 0) {
                NativeCalls.close(fd);
            }
        }
    }
}
