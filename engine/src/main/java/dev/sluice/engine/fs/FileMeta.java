package dev.sluice.engine.fs;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything lstat(2) and the readable extended attributes say about one directory entry.
 *
 * @param kind        the file type
 * @param mode        permission bits plus set-uid, set-gid and sticky ({@code mode & 07777})
 * @param uid         owner user id
 * @param gid         owner group id
 * @param size        st_size (for symlinks the length of the target)
 * @param mtimeNanos  modification time, nanoseconds since the epoch
 * @param atimeNanos  access time, nanoseconds since the epoch
 * @param ctimeNanos  status change time, nanoseconds since the epoch (read only; cannot be restored)
 * @param dev         st_dev of the file system holding the entry
 * @param ino         st_ino
 * @param nlink       st_nlink
 * @param rdev        st_rdev (device number of a device node, else 0)
 * @param linkTarget  raw target bytes of a symlink, null for every other kind
 * @param xattrs      extended attributes, sorted by name (empty when none or not readable)
 */
public record FileMeta(FileKind kind, int mode, int uid, int gid, long size,
                       long mtimeNanos, long atimeNanos, long ctimeNanos,
                       long dev, long ino, long nlink, long rdev,
                       byte[] linkTarget, List<Xattr> xattrs) {

    public FileMeta {
        Objects.requireNonNull(kind, "kind");
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode 0" + Integer.toOctalString(mode) + " has bits outside 07777");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " is negative");
        }
        if (nlink < 0) {
            throw new IllegalArgumentException("nlink " + nlink + " is negative");
        }
        if (kind == FileKind.SYMLINK) {
            Objects.requireNonNull(linkTarget, "a symlink needs a link target");
            linkTarget = linkTarget.clone();
        } else if (linkTarget != null) {
            throw new IllegalArgumentException("a " + kind + " has no link target");
        }
        xattrs = xattrs == null ? List.of() : xattrs.stream()
                .sorted(java.util.Comparator.comparing(Xattr::name)).toList();
        for (int i = 1; i < xattrs.size(); i++) {
            if (xattrs.get(i).name().equals(xattrs.get(i - 1).name())) {
                throw new IllegalArgumentException("xattr " + xattrs.get(i).name() + " appears twice");
            }
        }
    }

    @Override
    public byte[] linkTarget() {
        return linkTarget == null ? null : linkTarget.clone();
    }

    /** Returns a copy with other xattrs. */
    public FileMeta withXattrs(List<Xattr> newXattrs) {
        return new FileMeta(kind, mode, uid, gid, size, mtimeNanos, atimeNanos, ctimeNanos,
                dev, ino, nlink, rdev, linkTarget, newXattrs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileMeta m
                && kind == m.kind && mode == m.mode && uid == m.uid && gid == m.gid && size == m.size
                && mtimeNanos == m.mtimeNanos && atimeNanos == m.atimeNanos && ctimeNanos == m.ctimeNanos
                && dev == m.dev && ino == m.ino && nlink == m.nlink && rdev == m.rdev
                && Arrays.equals(linkTarget, m.linkTarget) && xattrs.equals(m.xattrs);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(kind, mode, uid, gid, size, mtimeNanos, atimeNanos, ctimeNanos, dev, ino, nlink, rdev, xattrs);
        return 31 * h + Arrays.hashCode(linkTarget);
    }

    @Override
    public String toString() {
        return "FileMeta[" + kind + " mode=0" + Integer.toOctalString(mode) + " uid=" + uid + " gid=" + gid
                + " size=" + size + " mtime=" + mtimeNanos + " atime=" + atimeNanos + " ctime=" + ctimeNanos
                + " dev=" + dev + " ino=" + ino + " nlink=" + nlink + " rdev=" + rdev
                + (linkTarget == null ? "" : " target=" + RawPath.escape(linkTarget)) + " xattrs=" + xattrs + "]";
    }
}
