package dev.sluice.engine.fs;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Creates fifos and device nodes, and sets the times of such entries, with the coreutils tools
 * ({@code mkfifo}, {@code mknod}, {@code touch}) so that no raw file name ever passes through a
 * {@code String}.
 *
 * <p>The JDK cannot create these entries, and its time and xattr setters open the file, which
 * blocks on a fifo. Creation therefore runs the tool on a temporary ASCII name in the target
 * directory, reached through an ASCII symlink to that directory in {@code java.io.tmpdir}
 * (so the directory's own raw bytes do not pass through a {@code String} either), then
 * hard-links the new entry to its raw name and removes the temporary name: an atomic step that,
 * unlike rename(2), never replaces an existing entry, so creating over an existing name fails
 * with {@link java.nio.file.FileAlreadyExistsException}, as mkfifo(1) would. Times are set
 * through an ASCII symlink to the entry itself (see {@code setTimes}). Each call starts one or
 * two short processes, which is fine for the rare special files, not for regular ones.
 */
public final class SpecialFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private SpecialFiles() {
    }

    /** Creates the fifo {@code p} with permission bits {@code mode} (07777). */
    public static void mkfifo(Path p, int mode) throws IOException {
        checkMode(mode);
        createThroughTemporaryName(p, tmp -> List.of("mkfifo", "-m", Integer.toOctalString(mode), tmp), "mkfifo");
    }

    /**
     * Creates the node {@code p}: a character or block device with device number {@code rdev}
     * (the raw Linux {@code st_rdev}), or a fifo (rdev ignored). Creating devices needs root
     * (CAP_MKNOD).
     *
     * @throws IllegalArgumentException if {@code kind} is not FIFO, CHAR_DEVICE or BLOCK_DEVICE
     */
    public static void mknod(Path p, FileKind kind, int mode, long rdev) throws IOException {
        checkMode(mode);
        Objects.requireNonNull(kind, "kind");
        String type;
        switch (kind) {
            case FIFO -> {
                mkfifo(p, mode);
                return;
            }
            case CHAR_DEVICE -> type = "c";
            case BLOCK_DEVICE -> type = "b";
            default -> throw new IllegalArgumentException("mknod cannot create a " + kind + " at " + RawPath.escape(p));
        }
        String major = Long.toUnsignedString(major(rdev));
        String minor = Long.toUnsignedString(minor(rdev));
        createThroughTemporaryName(p, tmp -> List.of("mknod", "-m", Integer.toOctalString(mode), tmp, type, major, minor),
                "mknod");
    }

    /** The major number of a Linux dev_t (glibc's gnu_dev_major). */
    public static long major(long rdev) {
        return ((rdev >>> 8) & 0xfffL) | ((rdev >>> 32) & 0xfffff000L);
    }

    /** The minor number of a Linux dev_t (glibc's gnu_dev_minor). */
    public static long minor(long rdev) {
        return (rdev & 0xffL) | ((rdev >>> 12) & 0xffffff00L);
    }

    /** Builds a Linux dev_t from major and minor numbers (glibc's gnu_dev_makedev). */
    public static long makedev(long major, long minor) {
        return (minor & 0xffL) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | ((major & 0xfffff000L) << 32);
    }

    /**
     * Sets access and modification time of {@code p} with nanosecond precision without opening it:
     * {@code touch -c -d @SECONDS.NANOS} on an ASCII symlink (in {@code java.io.tmpdir}) that
     * points at {@code p}, so touch's utimensat follows the alias to {@code p}. Used for fifos,
     * devices and sockets, for which the JDK's setters would open (and block on) the entry, and
     * for times before 1970 with a fractional second, which the JDK silently turns into the
     * epoch. Must not be used on a symlink (it would set its target's times).
     */
    public static void setTimes(Path p, long atimeNanos, long mtimeNanos) throws IOException {
        Path aliasDir = Files.createTempDirectory("sluice-touch-");
        try {
            Path alias = aliasDir.resolve("f");
            Files.createSymbolicLink(alias, p.toAbsolutePath());
            try {
                String tool = alias.toString();
                run(List.of("touch", "-c", "-a", "-d", "@" + seconds(atimeNanos), tool), "touch", p);
                run(List.of("touch", "-c", "-m", "-d", "@" + seconds(mtimeNanos), tool), "touch", p);
            } finally {
                Files.delete(alias);
            }
        } finally {
            Files.delete(aliasDir);
        }
    }

    private static String seconds(long nanos) {
        return BigDecimal.valueOf(nanos, 9).toPlainString();
    }

    private interface Command {
        List<String> build(String asciiPath);
    }

    private interface DirectoryAction {
        void run(String asciiDir, Path realDir) throws IOException;
    }

    private static void createThroughTemporaryName(Path p, Command command, String tool) throws IOException {
        Path abs = p.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null) {
            throw new IllegalArgumentException("cannot create " + RawPath.escape(p) + ": it has no parent directory");
        }
        RawPath.fileName(abs);
        withAsciiDirectory(dir, (dirAlias, realDir) -> {
            String tmpName = temporaryName();
            Path tmp = RawPath.resolve(realDir, tmpName.getBytes(StandardCharsets.US_ASCII));
            run(command.build(dirAlias + "/" + tmpName), tool, p);
            try {
                Files.createLink(abs, tmp);
            } finally {
                Files.delete(tmp);
            }
        });
    }

    private static void withAsciiDirectory(Path dir, DirectoryAction action) throws IOException {
        Path aliasDir = Files.createTempDirectory("sluice-special-");
        try {
            String base = aliasDir.toString();
            if (!StandardCharsets.US_ASCII.newEncoder().canEncode(base)) {
                throw new IOException("temporary directory " + base + " is not an ASCII path; set java.io.tmpdir");
            }
            Path alias = aliasDir.resolve("d");
            Files.createSymbolicLink(alias, dir);
            try {
                action.run(base + "/d", dir);
            } finally {
                Files.delete(alias);
            }
        } finally {
            Files.delete(aliasDir);
        }
    }

    private static String temporaryName() {
        byte[] r = new byte[8];
        RANDOM.nextBytes(r);
        return ".sluice-" + HexFormat.of().formatHex(r) + ".tmp";
    }

    private static void run(List<String> command, String tool, Path target) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
        pb.environment().put("LC_ALL", "C");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()));
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot start " + tool + " for " + RawPath.escape(target) + ": " + e.getMessage(), e);
        }
        String stderr;
        try (InputStream err = process.getErrorStream()) {
            stderr = new String(err.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + tool + " worked on " + RawPath.escape(target), e);
        }
        if (exit != 0) {
            throw new IOException(tool + " failed for " + RawPath.escape(target) + " (exit status " + exit + "): " + stderr);
        }
    }

    private static void checkMode(int mode) {
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode 0" + Integer.toOctalString(mode) + " has bits outside 07777");
        }
    }
}
