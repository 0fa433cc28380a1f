package dev.sluice.engine.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The daemon's runtime directory ({@code global.runtime_dir}): it holds the control socket (and later the
 * stdinserver sockets), so only its owner may enter it. Created with mode 0700 when missing; an existing one
 * must belong to the daemon's user and have no group or world permission bits.
 */
public final class RuntimeDir {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private RuntimeDir() {}

    /**
     * Makes sure the directory exists and is private.
     *
     * @throws IOException with a sentence naming the directory and what is wrong with it
     */
    public static Path prepare(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent() == null ? dir : dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the runtime directory " + dir + " is not a directory (a symlink is not accepted)");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int me = currentUid();
        if (owner != me) {
            throw new IOException("the runtime directory " + dir + " belongs to uid " + owner + ", not to this user (uid "
                    + me + "); it must be private to sluice");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
        open.addAll(perms);
        open.retainAll(OTHERS);
        if (!open.isEmpty()) {
            throw new IOException("the runtime directory " + dir + " has mode " + PosixFilePermissions.toString(perms)
                    + ", which lets other users in; it must be private to sluice (chmod 0700 " + dir + ")");
        }
        return dir;
    }

    /** The real uid of this process. */
    public static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
