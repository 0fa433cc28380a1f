package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.PosixStat;
import dev.sluice.engine.fs.SpecialFiles;
import dev.sluice.engine.fs.Xattr;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reads and applies metadata of an entry held by a descriptor, through {@code /proc/self/fd/N}, which the kernel
 * resolves to that very inode: no name is looked up, so nothing swapped into the tree meanwhile is touched.
 *
 * <p>Order as in {@code fs.MetadataWriter} with one change: xattrs, owner, times, then mode, because the JDK opens
 * the entry read-only to set its times, which a restrictive final mode could forbid. Fifos, sockets, devices and
 * times before 1970 with a fraction are set with {@code touch} on {@code /proc/PID/fd/N} (see
 * {@link SpecialFiles#setTimes}), which does not open the entry.
 */
final class PinnedMetadata {

    private PinnedMetadata() {
    }

    static Path pinned(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    /**
     * Applies {@code m} to the inode held by {@code fd} (never a symlink: checked with fstat).
     *
     * @param fresh      the entry was just created by the receiver, so it has no xattrs to remove
     * @param ownership  set uid and gid
     * @param realMode   the permission bits to set (the recorded ones, or the fake-super view's)
     * @param xattrs     the xattrs the entry must carry
     */
    static void apply(int fd, String shown, FileMeta m, boolean fresh, boolean ownership, int realMode, List<Xattr> xattrs)
            throws IOException {
        PosixStat st = NativeCalls.fstat(fd, shown);
        FileKind actual = FileKind.fromMode(st.mode());
        if (actual == FileKind.SYMLINK) {
            throw new IOException("refusing to apply metadata to " + shown + ": it is a symlink");
        }
        Path p = pinned(fd);
        if (actual == FileKind.REGULAR || actual == FileKind.DIRECTORY) {
            applyXattrs(p, shown, xattrs, fresh);
        } else if (!xattrs.isEmpty()) {
            throw new IOException("cannot set xattrs on " + shown + ", a " + actual);
        }
        boolean chowned = ownership && (st.uid() != m.uid() || st.gid() != m.gid());
        if (chowned) {
            Files.setAttribute(p, "unix:uid", m.uid());
            Files.setAttribute(p, "unix:gid", m.gid());
        }
        if (actual.isSpecial() || fractionBeforeEpoch(m.mtimeNanos()) || fractionBeforeEpoch(m.atimeNanos())) {
            SpecialFiles.setTimes(Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + fd), m.atimeNanos(),
                    m.mtimeNanos());
        } else {
            Files.getFileAttributeView(p, BasicFileAttributeView.class)
                    .setTimes(FileTime.from(m.mtimeNanos(), TimeUnit.NANOSECONDS),
                            FileTime.from(m.atimeNanos(), TimeUnit.NANOSECONDS), null);
        }
        if ((st.mode() & 07777) != realMode || chowned) {
            // chown(2) clears set-uid and set-gid, so the mode is set again after it
            Files.setAttribute(p, "unix:mode", realMode);
        }
    }

    /**
     * Whether the directory held by {@code fd} (opened for reading) already has what {@link #apply} would give it:
     * permission bits, owner (when {@code ownership}), mtime (not atime: listing a directory moves it), and no user
     * xattrs when none are wanted. xattrs are listed on {@code fd} itself; a directory that wants xattrs is never taken as carrying them (its
     * metadata is applied). A no-change run then leaves every directory alone.
     */
    static boolean directoryCarries(int fd, String shown, FileMeta m, boolean ownership, int realMode,
            List<Xattr> xattrs) throws IOException {
        if (!xattrs.isEmpty() || FD_LIST == null) {
            return false;
        }
        PosixStat st = NativeCalls.fstat(fd, shown);
        if (!st.isDirectory() || (st.mode() & 07777) != realMode || st.mtimeNanos() != m.mtimeNanos()
                || ownership && (st.uid() != m.uid() || st.gid() != m.gid())) {
            return false;
        }
        try {
            @SuppressWarnings("unchecked")
            List<String> names = (List<String>) FD_LIST.invokeExact(fd, 1024);
            for (String n : names) {
                if (n.startsWith("user.")) {
                    return false;
                }
            }
            return true;
        } catch (Throwable t) {
            // not supported here, or anything else: applying the metadata finds out properly
            return false;
        }
    }

    /** {@code UnixUserDefinedFileAttributeView.list(int fd, int size)}: all xattr names of an open descriptor. */
    private static final MethodHandle FD_LIST = fdList();

    private static MethodHandle fdList() {
        try {
            Class<?> view = Class.forName("sun.nio.fs.UnixUserDefinedFileAttributeView");
            return MethodHandles.privateLookupIn(view, MethodHandles.lookup())
                    .findStatic(view, "list", MethodType.methodType(List.class, int.class, int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * As {@link #apply} for a regular file the receiver itself created and holds open for writing ({@code fd},
     * opened with O_CREAT|O_EXCL|O_NOFOLLOW): owner, times and mode are set on the descriptor (fchown, futimens,
     * fchmod), so no path is resolved and the file is not opened again; {@code st} is its fstat, made by the caller.
     * Falls back to {@link #apply} where the JDK lacks those calls or a time before 1970 has a fraction.
     */
    static void applyToCreated(int fd, String shown, FileMeta m, PosixStat st, boolean ownership, int realMode,
            List<Xattr> xattrs) throws IOException {
        if (!NativeCalls.descriptorCallsAvailable() || fractionBeforeEpoch(m.mtimeNanos())
                || fractionBeforeEpoch(m.atimeNanos())) {
            apply(fd, shown, m, true, ownership, realMode, xattrs);
            return;
        }
        if (!st.isRegular()) {
            throw new IOException("refusing to apply metadata to " + shown + ": the file created for it is a "
                    + FileKind.fromMode(st.mode()));
        }
        applyXattrs(pinned(fd), shown, xattrs, true);
        boolean chowned = ownership && (st.uid() != m.uid() || st.gid() != m.gid());
        if (chowned) {
            NativeCalls.fchown(fd, m.uid(), m.gid(), shown);
        }
        NativeCalls.futimens(fd, m.atimeNanos(), m.mtimeNanos(), shown);
        if ((st.mode() & 07777) != realMode || chowned) {
            // chown(2) clears set-uid and set-gid, so the mode is set again after it
            NativeCalls.fchmod(fd, realMode, shown);
        }
    }

    /** The metadata of the inode held by {@code fd}, with the xattrs of a regular file or directory. */
    static FileMeta read(int fd, String shown) throws IOException {
        return read(fd, shown, NativeCalls.fstat(fd, shown));
    }

    /** As {@link #read(int, String)}, with the fstat of {@code fd} the caller just made. */
    static FileMeta read(int fd, String shown, PosixStat st) throws IOException {
        FileKind kind = FileKind.fromMode(st.mode());
        if (kind == FileKind.SYMLINK) {
            throw new IOException("cannot read the metadata of " + shown + " through its descriptor: it is a symlink");
        }
        List<Xattr> xattrs = kind == FileKind.REGULAR || kind == FileKind.DIRECTORY ? readXattrs(pinned(fd)) : List.of();
        return meta(st, xattrs);
    }

    /** The metadata {@code st} gives, with {@code xattrs} (read or known from the journal); no symlink target. */
    static FileMeta meta(PosixStat st, List<Xattr> xattrs) {
        return new FileMeta(FileKind.fromMode(st.mode()), st.mode() & 07777, st.uid(), st.gid(), st.size(),
                st.mtimeNanos(), st.atimeNanos(), st.ctimeNanos(), st.dev(), st.ino(), st.nlink(), st.rdev(), null,
                xattrs);
    }

    private static boolean fractionBeforeEpoch(long nanos) {
        return nanos < 0 && nanos % 1_000_000_000L != 0;
    }

    private static List<Xattr> readXattrs(Path p) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        List<String> names = listOrEmpty(view);
        List<Xattr> out = new ArrayList<>(names.size());
        for (String name : names) {
            ByteBuffer buf = ByteBuffer.allocate(view.size(name));
            view.read(name, buf);
            buf.flip();
            byte[] value = new byte[buf.remaining()];
            buf.get(value);
            out.add(new Xattr("user." + name, value));
        }
        return out;
    }

    private static List<String> listOrEmpty(UserDefinedFileAttributeView view) throws IOException {
        if (view == null) {
            return List.of();
        }
        try {
            return view.list();
        } catch (java.nio.file.FileSystemException e) {
            if (String.valueOf(e.getReason()).contains("not supported")) {
                return List.of();
            }
            throw e;
        }
    }

    private static void applyXattrs(Path p, String shown, List<Xattr> xattrs, boolean fresh) throws IOException {
        Set<String> wanted = new HashSet<>();
        for (Xattr x : xattrs) {
            if (!x.namespace().equals("user")) {
                throw new IOException("cannot set xattr " + x.name() + " on " + shown
                        + ": only the user namespace is writable through the JDK");
            }
            wanted.add(x.localName());
        }
        if (fresh && xattrs.isEmpty()) {
            return;
        }
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        if (view == null) {
            throw new IOException("the file system of " + shown + " does not support user xattrs");
        }
        if (!fresh) {
            for (String existing : listOrEmpty(view)) {
                if (!wanted.contains(existing)) {
                    view.delete(existing);
                }
            }
        }
        for (Xattr x : xattrs) {
            view.write(x.localName(), ByteBuffer.wrap(x.value()));
        }
    }

    /**
     * Sets owner and times of the symlink {@code name} of {@code dir} by name with lchown and lutimes, which never
     * follow it (a symlink cannot be held by a descriptor that these calls accept). Times keep microseconds.
     */
    static void applyToSymlink(DirectoryHandle dir, byte[] name, FileMeta m, boolean ownership) throws IOException {
        Path p = dir.entry(name);
        if (ownership) {
            Files.setAttribute(p, "unix:uid", m.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", m.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(m.mtimeNanos(), TimeUnit.NANOSECONDS),
                        FileTime.from(m.atimeNanos(), TimeUnit.NANOSECONDS), null);
    }
}
