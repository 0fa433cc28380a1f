package dev.sluice.engine.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Applies recorded metadata ({@link FileMeta}) to an existing entry: xattrs, then owner, then
 * mode, then times, never following a final symlink.
 *
 * <p>Order matters: chown clears set-uid/set-gid bits, so the mode comes after the owner; and
 * every change touches ctime but setting xattrs or the mode does not move mtime/atime, so times
 * come last. ctime, dev, ino and nlink cannot be set and are ignored; size and content are the
 * caller's business.
 *
 * <p><b>Time precision (measured on OpenJDK 17 / Linux / ext4):</b> regular files and
 * directories keep nanoseconds (the JDK opens the entry and uses {@code futimens}). Symlinks keep
 * only <b>microseconds</b>: the JDK uses {@code lutimes}, so the last three digits of the
 * nanoseconds become 0. Fifos, devices and sockets keep nanoseconds: they are set with
 * {@code touch -h} (see {@link SpecialFiles}) because the JDK would open, and block on, them.
 * Because the JDK opens regular files and directories read-only to set their times, a non-root
 * caller cannot set the times of an entry whose mode forbids reading (for example 0000).
 *
 * <p>Xattrs: only the {@code user.} namespace can be written through the JDK; any other
 * namespace is rejected with an IOException. Xattrs already present on the entry but absent
 * from the metadata are removed. Xattrs can be applied to regular files and directories only.
 *
 * <p>An instance caches per device whether the file system supports user xattrs; it is not
 * thread-safe, so use one per restoring thread.
 */
public final class MetadataWriter {

    private final java.util.Map<Long, Boolean> xattrSupport = new java.util.HashMap<>();

    /**
     * Applies {@code m} to the entry at {@code p}, which must already exist with the same kind.
     *
     * @param restoreOwnership whether to set uid and gid (lchown; normally only as root)
     * @throws IOException if the entry's kind differs from {@code m.kind()} or any step fails
     */
    public void apply(Path p, FileMeta m, boolean restoreOwnership) throws IOException {
        java.util.Map<String, Object> now = Files.readAttributes(p, "unix:mode,dev", LinkOption.NOFOLLOW_LINKS);
        int stMode = (Integer) now.get("mode");
        FileKind actual = FileKind.fromMode(stMode);
        if (actual != m.kind()) {
            throw new IOException("cannot apply metadata of a " + m.kind() + " to " + RawPath.escape(p)
                    + ", which is a " + actual);
        }
        applyXattrs(p, m, (Long) now.get("dev"));
        if (restoreOwnership) {
            Files.setAttribute(p, "unix:uid", m.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", m.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        if (m.kind() != FileKind.SYMLINK) {
            // Following is safe: the entry is not a symlink. The no-follow variant would open the
            // file (blocking on fifos); this one is a plain chmod(2) and keeps suid/sgid/sticky.
            Files.setAttribute(p, "unix:mode", m.mode());
        }
        if (m.kind().isSpecial()) {
            SpecialFiles.setTimes(p, m.atimeNanos(), m.mtimeNanos());
        } else {
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(m.mtimeNanos(), TimeUnit.NANOSECONDS),
                            FileTime.from(m.atimeNanos(), TimeUnit.NANOSECONDS), null);
        }
    }

    private void applyXattrs(Path p, FileMeta m, long dev) throws IOException {
        if (m.kind() != FileKind.REGULAR && m.kind() != FileKind.DIRECTORY) {
            if (!m.xattrs().isEmpty()) {
                throw new IOException("cannot set xattrs on " + RawPath.escape(p) + ", a " + m.kind()
                        + ": the JDK can set them only on regular files and directories");
            }
            return;
        }
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        Set<String> wanted = new HashSet<>();
        for (Xattr x : m.xattrs()) {
            if (!x.namespace().equals("user")) {
                throw new IOException("cannot set xattr " + x.name() + " on " + RawPath.escape(p)
                        + ": only the user namespace is writable through the JDK");
            }
            wanted.add(x.localName());
        }
        if (view == null) {
            if (!m.xattrs().isEmpty()) {
                throw new IOException("the file system of " + RawPath.escape(p) + " does not support user xattrs");
            }
            return;
        }
        Boolean supported = xattrSupport.get(dev);
        if (supported == null) {
            supported = Files.getFileStore(p).supportsFileAttributeView(UserDefinedFileAttributeView.class);
            xattrSupport.put(dev, supported);
        }
        if (!supported) {
            if (!m.xattrs().isEmpty()) {
                throw new IOException("the file system of " + RawPath.escape(p) + " does not support user xattrs");
            }
            return;
        }
        for (String existing : view.list()) {
            if (!wanted.contains(existing)) {
                view.delete(existing);
            }
        }
        for (Xattr x : m.xattrs()) {
            view.write(x.localName(), ByteBuffer.wrap(x.value()));
        }
    }
}
