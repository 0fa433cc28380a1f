package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.SpecialFiles;
import dev.sluice.engine.fs.Xattr;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code user.sluice.fake_super} xattr: how a receiver that is not root keeps what it cannot apply (owner,
 * group, the exact mode, the kind and device number of special files), and how a sender reads it back.
 *
 * <p>Format (ASCII, one line, fields separated by one space):
 * {@code 1 KIND MODE UID GID MAJOR MINOR}, where {@code 1} is the format version, KIND is one of {@code reg dir
 * fifo chr blk sock}, MODE is the permission bits ({@code mode & 07777}) in octal, UID and GID are decimal, and
 * MAJOR and MINOR are the decimal device numbers (0 0 for everything but devices). Example: {@code 1 chr 620 0 5 4
 * 1}. A special file is stored as an empty regular file carrying this xattr; regular files and directories carry
 * it next to their content.
 */
public final class FakeSuper {

    /** The xattr's full name. */
    public static final String XATTR = "user.sluice.fake_super";

    private FakeSuper() {
    }

    /** The xattr that records {@code meta}'s kind, exact mode, owner and device number. */
    public static Xattr encode(FileMeta meta) {
        String kind = switch (meta.kind()) {
            case REGULAR -> "reg";
            case DIRECTORY -> "dir";
            case FIFO -> "fifo";
            case CHAR_DEVICE -> "chr";
            case BLOCK_DEVICE -> "blk";
            case SOCKET -> "sock";
            case SYMLINK -> throw new IllegalArgumentException("a symlink cannot carry the fake_super xattr");
        };
        boolean device = meta.kind() == FileKind.CHAR_DEVICE || meta.kind() == FileKind.BLOCK_DEVICE;
        long rdev = device ? meta.rdev() : 0;
        String value = "1 " + kind + " " + Integer.toOctalString(meta.mode()) + " " + Integer.toUnsignedString(meta.uid())
                + " " + Integer.toUnsignedString(meta.gid()) + " " + SpecialFiles.major(rdev) + " " + SpecialFiles.minor(rdev);
        return new Xattr(XATTR, value.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The metadata {@code onDisk} stands for: when it carries the xattr, kind, mode, owner and device number come
     * from it (a special file gets size 0) and the xattr itself is dropped from the list; otherwise
     * {@code onDisk} unchanged.
     *
     * @throws IllegalArgumentException when the xattr is malformed, or says a special kind on an entry that is not
     *                                  an empty regular file, or names a kind other than the entry's
     */
    public static FileMeta decode(FileMeta onDisk) {
        Xattr found = null;
        List<Xattr> rest = new ArrayList<>();
        for (Xattr x : onDisk.xattrs()) {
            if (x.name().equals(XATTR)) {
                found = x;
            } else {
                rest.add(x);
            }
        }
        if (found == null) {
            return onDisk;
        }
        String value = new String(found.value(), StandardCharsets.US_ASCII);
        String[] f = value.split(" ", -1);
        if (f.length != 7 || !f[0].equals("1")) {
            throw new IllegalArgumentException("malformed " + XATTR + " value '" + value + "'");
        }
        FileKind kind = switch (f[1]) {
            case "reg" -> FileKind.REGULAR;
            case "dir" -> FileKind.DIRECTORY;
            case "fifo" -> FileKind.FIFO;
            case "chr" -> FileKind.CHAR_DEVICE;
            case "blk" -> FileKind.BLOCK_DEVICE;
            case "sock" -> FileKind.SOCKET;
            default -> throw new IllegalArgumentException("unknown kind '" + f[1] + "' in " + XATTR + " value '" + value + "'");
        };
        int mode;
        int uid;
        int gid;
        long major;
        long minor;
        try {
            mode = Integer.parseInt(f[2], 8);
            uid = Integer.parseUnsignedInt(f[3]);
            gid = Integer.parseUnsignedInt(f[4]);
            major = Long.parseUnsignedLong(f[5]);
            minor = Long.parseUnsignedLong(f[6]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed number in " + XATTR + " value '" + value + "'", e);
        }
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode 0" + Integer.toOctalString(mode) + " in " + XATTR + " has bits outside 07777");
        }
        if (kind.isSpecial()) {
            if (onDisk.kind() != FileKind.REGULAR || onDisk.size() != 0) {
                throw new IllegalArgumentException(XATTR + " says " + kind + " but the entry is a " + onDisk.kind()
                        + " of " + onDisk.size() + " bytes, not an empty placeholder file");
            }
        } else if (kind != onDisk.kind()) {
            throw new IllegalArgumentException(XATTR + " says " + kind + " but the entry is a " + onDisk.kind());
        }
        boolean device = kind == FileKind.CHAR_DEVICE || kind == FileKind.BLOCK_DEVICE;
        return new FileMeta(kind, mode, uid, gid, onDisk.size(), onDisk.mtimeNanos(), onDisk.atimeNanos(),
                onDisk.ctimeNanos(), onDisk.dev(), onDisk.ino(), onDisk.nlink(),
                device ? SpecialFiles.makedev(major, minor) : 0, null, kind.isSpecial() ? List.of() : rest);
    }
}
