package dev.sluice.engine.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the full metadata of one directory entry with lstat semantics (symlinks are not followed).
 *
 * <p>All numeric fields come from one {@code lstat} ({@link PosixStat}), times with nanosecond
 * precision. Extended attributes are read through
 * {@link UserDefinedFileAttributeView}, which can only see the {@code user.} namespace; other
 * namespaces ({@code security.}, {@code trusted.}, {@code system.} such as POSIX ACLs) are not
 * readable through the JDK and are not recorded. Xattrs are read only for regular files and
 * directories: the JDK opens the file to read them, which would block on a fifo, could have
 * side effects on a device node, and fails on a symlink.
 *
 * <p>Instances keep a small per-device cache of whether the file system supports user xattrs,
 * so use one instance per walk; an instance is not thread-safe.
 */
public final class MetadataReader {

    private final Map<Long, Boolean> xattrSupport = new HashMap<>();

    /**
     * Reads the metadata of {@code p} without following a final symlink.
     *
     * @throws java.nio.file.NoSuchFileException if the entry does not exist
     * @throws IOException                      if lstat, readlink or reading an xattr fails
     */
    public FileMeta read(Path p) throws IOException {
        return read(p, true);
    }

    /**
     * Reads metadata; with {@code regularFileXattrs} false, a regular file's xattrs are left
     * empty for {@link #xattrs} to fill in later (listing them opens the file, which is most of
     * the cost of a no-change backup; a caller that knows they are unchanged can skip it).
     */
    public FileMeta read(Path p, boolean regularFileXattrs) throws IOException {
        return meta(p, PosixStat.lstat(p), regularFileXattrs);
    }

    /**
     * As {@link #read(Path, boolean)} for the entry {@code name} of the open directory {@code dir} ({@code p} is
     * its path): the lstat is made relative to the directory's descriptor.
     */
    public FileMeta readAt(OpenDirectory dir, byte[] name, Path p, boolean regularFileXattrs) throws IOException {
        return meta(p, dir.lstat(name), regularFileXattrs);
    }

    private FileMeta meta(Path p, PosixStat st, boolean regularFileXattrs) throws IOException {
        FileKind kind = st.kind();
        byte[] target = kind == FileKind.SYMLINK ? RawPath.bytes(Files.readSymbolicLink(p)) : null;
        boolean wantXattrs = kind == FileKind.DIRECTORY || kind == FileKind.REGULAR && regularFileXattrs;
        List<Xattr> xattrs = wantXattrs && supportsXattrs(p, st.dev()) ? readXattrs(p) : List.of();
        return new FileMeta(kind, st.permissions(), st.uid(), st.gid(), st.size(), st.mtimeNanos(), st.atimeNanos(),
                st.ctimeNanos(), st.dev(), st.ino(), st.nlink(), st.rdev(), target, xattrs);
    }

    /** The xattrs of a regular file or directory read with {@code read(p, false)}. */
    public List<Xattr> xattrs(Path p, FileMeta m) throws IOException {
        boolean applicable = m.kind() == FileKind.REGULAR || m.kind() == FileKind.DIRECTORY;
        return applicable && supportsXattrs(p, m.dev()) ? readXattrs(p) : List.of();
    }

    private boolean supportsXattrs(Path p, long dev) throws IOException {
        Boolean known = xattrSupport.get(dev);
        if (known == null) {
            known = Files.getFileStore(p).supportsFileAttributeView(UserDefinedFileAttributeView.class);
            xattrSupport.put(dev, known);
        }
        return known;
    }

    private static List<Xattr> readXattrs(Path p) throws IOException {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return List.of();
        }
        List<String> names = view.list();
        if (names.isEmpty()) {
            return List.of();
        }
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

}
