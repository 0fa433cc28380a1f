package dev.sluice.transport.stdinserver;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The check that guards the stdinserver: anyone who can reach a socket in the runtime
 * directory is trusted as that socket's identity, so the directory must be a real directory
 * owned by this user with no group or other permissions.
 */
public final class RuntimeDirectory {

    private static final Set<PosixFilePermission> FOREIGN = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private RuntimeDirectory() {
    }

    /** Returns normally if {@code dir} is private to this user; otherwise says what is wrong. */
    public static void requirePrivate(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("stdinserver runtime directory " + dir + " does not exist; create it with mode 0700");
        }
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink() || !a.isDirectory()) {
            throw new IOException("stdinserver runtime directory " + dir + " is "
                    + (a.isSymbolicLink() ? "a symbolic link" : "not a directory") + "; it must be a real directory");
        }
        long owner = ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        long me = new UnixSystem().getUid();
        if (owner != me) {
            throw new IOException("stdinserver runtime directory " + dir + " is owned by uid " + owner
                    + ", not by this user (uid " + me + ")");
        }
        Set<PosixFilePermission> extra = EnumSet.noneOf(PosixFilePermission.class);
        extra.addAll(a.permissions());
        extra.retainAll(FOREIGN);
        if (!extra.isEmpty()) {
            throw new IOException("stdinserver runtime directory " + dir + " has mode "
                    + PosixFilePermissions.toString(a.permissions()) + ": group and others must have no access"
                    + " (chmod 700 " + dir + ")");
        }
    }
}
