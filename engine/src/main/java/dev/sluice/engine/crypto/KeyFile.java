package dev.sluice.engine.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Stores a {@link MasterKey} in a plain (unwrapped) key file, readable only by its owner.
 *
 * <p>Format, ASCII: {@code "sluice-key-v1\n" + base64(64 key bytes) + "\n"}. The file is
 * created with mode 0600 from the first moment: it is written under a temporary name in the
 * same directory (created with that mode), fsynced, then hard-linked to its final name (which
 * fails if the name exists, so an existing key is never overwritten, even in a race), and the
 * directory is fsynced.
 */
public final class KeyFile {

    /** The first line of every key file. */
    public static final String HEADER = "sluice-key-v1";

    private static final int MAX_FILE_SIZE = 4096;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeyFile() {}

    /**
     * Writes {@code key} to a new file {@code file} with mode 0600.
     *
     * @throws FileAlreadyExistsException if {@code file} already exists (it is left untouched)
     * @throws IOException if writing, syncing or renaming fails; no partial key file is left
     */
    public static void create(Path file, MasterKey key) throws IOException {
        Path target = file.toAbsolutePath();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "key file already exists; refusing to overwrite it");
        }
        Path dir = target.getParent();
        byte[] raw = key.encoded();
        byte[] content = (HEADER + "\n" + Base64.getEncoder().encodeToString(raw) + "\n").getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(raw, (byte) 0);
        byte[] suffix = new byte[8];
        new SecureRandom().nextBytes(suffix);
        Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + HexFormat.of().formatHex(suffix));
        FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
        try {
            try (SeekableByteChannel ch = Files.newByteChannel(temp,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ((FileChannel) ch).force(true);
            } finally {
                Arrays.fill(content, (byte) 0);
            }
            try {
                Files.createLink(target, temp);
            } catch (FileAlreadyExistsException e) {
                throw new FileAlreadyExistsException(target.toString(), null, "key file already exists; refusing to overwrite it");
            } catch (UnsupportedOperationException e) {
                // No hard links on this file system: fall back to a plain move, which does not replace.
                Files.move(temp, target);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Reads a key file written by {@link #create}.
     *
     * @throws KeyException if the file is missing, unreadable, not a sluice key file, or damaged
     */
    public static MasterKey read(Path file) throws KeyException {
        byte[] content;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_SIZE) {
                throw new KeyException("key file " + file + " is " + size + " bytes; a sluice key file is under 200 bytes");
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new KeyException("key file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new KeyException("key file " + file + " cannot be read: " + e.getMessage(), e);
        }
        try {
            String text = new String(content, StandardCharsets.US_ASCII);
            String prefix = HEADER + "\n";
            if (!text.startsWith(prefix)) {
                throw new KeyException("file " + file + " is not a sluice key file: the first line is not \"" + HEADER + "\"");
            }
            String body = text.substring(prefix.length());
            if (body.endsWith("\n")) {
                body = body.substring(0, body.length() - 1);
            } else {
                throw new KeyException("key file " + file + " is truncated: the key line does not end with a newline");
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new KeyException("key file " + file + " is damaged: the key line is not valid base64", e);
            }
            if (raw.length != MasterKey.LENGTH) {
                Arrays.fill(raw, (byte) 0);
                throw new KeyException("key file " + file + " is damaged or truncated: the key has " + raw.length
                        + " bytes, expected " + MasterKey.LENGTH);
            }
            MasterKey key = MasterKey.decode(raw);
            Arrays.fill(raw, (byte) 0);
            return key;
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    /** True when the file's group or other permission bits are set (it should be 0600 or 0400). */
    public static boolean tooOpen(Path file) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        for (PosixFilePermission p : perms) {
            if (GROUP_OR_OTHER.contains(p)) {
                return true;
            }
        }
        return false;
    }
}
