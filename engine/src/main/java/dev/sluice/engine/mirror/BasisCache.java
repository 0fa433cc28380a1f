package dev.sluice.engine.mirror;

import dev.sluice.engine.fs.CacheRoot;
import dev.sluice.engine.mirror.dest.FileStamp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The mirror receiver's chunk lists of its own large files, kept outside the target so that a file the last run wrote
 * is not read and chunked again when it becomes the basis. One directory per target directory under the cache root
 * ({@code <cache root>/mirror/basis/<16 hex of SHA-256 of the target's real path>} (fs.CacheRoot), mode 0700): a {@code key} file (the
 * target's chunk hash key, 16 random bytes) and one file per cached inode, {@code <dev hex>-<ino hex>}, all mode 0600
 * (NH outputs of known content tell about the key).
 *
 * <p>An entry is used only when device, inode, size, mtime and ctime of the basis as opened equal those recorded
 * after the commit that wrote it, its key fingerprint is the current key's, its checksum holds and its chunk lengths
 * add up to the size; anything else is treated as absent (and deleted), so the list is then computed from the file.
 * Bounded to {@link #MAX_ENTRIES} entries and {@link #MAX_BYTES} bytes; {@link #prune} after a finished run deletes the
 * entries of inodes the run did not meet. Not thread-safe: one run uses it from its frame thread.
 */
public final class BasisCache {
    /** Files at least this large get their chunk list cached (and are sent chunk by chunk without a basis). */
    public static final long MIN_FILE = MirrorChunking.CHUNKED_MIN;
    static final int MAX_ENTRIES = 100_000;
    static final long MAX_BYTES = 256L << 20;

    private static final int MAGIC = 0x534c4243; // "SLBC"
    private static final int VERSION = 1;
    /** magic, version, key fingerprint, dev, ino, size, mtime, ctime, count. */
    private static final int HEADER = 4 + 1 + 8 + 5 * 8 + 4;
    private static final int ITEM = 4 + MirrorCodec.HASH;
    private static final int CHECKSUM = 32;
    private static final java.nio.file.attribute.FileAttribute<?> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{1,16}-[0-9a-f]{1,16}");

    private final Path dir;
    private final byte[] key;
    private final long fingerprint;
    private final Set<String> alive = new HashSet<>();
    private final Map<String, Long> sizes = new HashMap<>();
    private long bytes;

    private BasisCache(Path dir, byte[] key) {
        this.dir = dir;
        this.key = key;
        byte[] fp = MirrorChunking.digest().digest(key);
        this.fingerprint = ByteBuffer.wrap(fp).getLong();
    }

    /** No cache: a fresh random key, nothing found, nothing kept. */
    public static BasisCache none() {
        byte[] key = new byte[ChunkHash.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return new BasisCache(null, key);
    }

    /**
     * The cache of target directory {@code target} under {@code root} (fs.CacheRoot; created when missing), with the
     * target's key
     * (created when missing or malformed, which drops every entry).
     */
    public static BasisCache open(Path root, Path target) throws IOException {
        Path real = Files.exists(target) ? target.toRealPath() : target.toAbsolutePath().normalize();
        Path dir = root.resolve("mirror").resolve("basis").resolve(CacheRoot.fileName(real.toString()));
        Files.createDirectories(dir);
        // the key and the hashes stay private: NH outputs with known content tell about the key
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path keyFile = dir.resolve("key");
        byte[] key = null;
        try {
            key = Files.readAllBytes(keyFile);
        } catch (NoSuchFileException missing) {
            // made below
        }
        if (key == null || key.length != ChunkHash.KEY_BYTES) {
            key = new byte[ChunkHash.KEY_BYTES];
            new SecureRandom().nextBytes(key);
            replace(dir, "key", key);
        }
        BasisCache cache = new BasisCache(dir, key);
        cache.scan();
        return cache;
    }

    /** The cache of {@code target} under {@code root}, or {@link #none()} without a root. */
    public static BasisCache open(Optional<Path> root, Path target) throws IOException {
        if (root.isEmpty()) {
            return none();
        }
        try {
            return open(root.get(), target);
        } catch (IOException e) {
            throw new IOException("the mirror basis cache under " + root.get() + " (for target " + target
                    + ") cannot be used: " + e + "; point XDG_CACHE_HOME at a writable directory", e);
        }
    }

    private void scan() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (NAME.matcher(name).matches()) {
                    long size = Files.size(p);
                    sizes.put(name, size);
                    bytes += size;
                } else if (name.endsWith(".tmp") && !name.equals("key.tmp")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Whether entries are kept at all (false for {@link #none()}). */
    public boolean enabled() {
        return dir != null;
    }

    /** The chunk hash key of this target. */
    public byte[] key() {
        return key.clone();
    }

    /** A cached chunk list: {@code lengths[0..n)} and their hashes. */
    public record Entry(int[] lengths, byte[] hashes, int n) {
    }

    private static String name(FileStamp s) {
        return Long.toHexString(s.dev()) + "-" + Long.toHexString(s.ino());
    }

    /** Notes that the run met this inode (its entry survives {@link #prune}). */
    public void seen(FileStamp s) {
        if (dir != null && s != null) {
            alive.add(name(s));
        }
    }

    /** Notes that this inode was replaced in the run (its entry goes in {@link #prune}). */
    public void replaced(FileStamp s) {
        if (dir != null && s != null) {
            alive.remove(name(s));
        }
    }

    /** The chunk list recorded for exactly this inode state, or empty. */
    public Optional<Entry> lookup(FileStamp s) {
        if (dir == null || s == null) {
            return Optional.empty();
        }
        String name = name(s);
        alive.add(name);
        if (!sizes.containsKey(name)) {
            return Optional.empty();
        }
        Path file = dir.resolve(name);
        try {
            Optional<Entry> e = decode(Files.readAllBytes(file), s);
            if (e.isEmpty()) {
                delete(name);
            }
            return e;
        } catch (NoSuchFileException gone) {
            sizes.remove(name);
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the mirror basis cache entry " + file + " failed: "
                    + e.getMessage(), e);
        }
    }

    private Optional<Entry> decode(byte[] b, FileStamp s) {
        if (b.length < HEADER + CHECKSUM) {
            return Optional.empty();
        }
        MessageDigest sha = MirrorChunking.digest();
        sha.update(b, 0, b.length - CHECKSUM);
        if (!MessageDigest.isEqual(sha.digest(), java.util.Arrays.copyOfRange(b, b.length - CHECKSUM, b.length))) {
            return Optional.empty();
        }
        ByteBuffer r = ByteBuffer.wrap(b);
        if (r.getInt() != MAGIC || r.get() != VERSION || r.getLong() != fingerprint) {
            return Optional.empty();
        }
        FileStamp recorded = new FileStamp(r.getLong(), r.getLong(), r.getLong(), r.getLong(), r.getLong());
        int n = r.getInt();
        if (!recorded.equals(s) || n < 0 || (long) n * ITEM != b.length - HEADER - CHECKSUM) {
            return Optional.empty();
        }
        int[] lengths = new int[n];
        byte[] hashes = new byte[n * MirrorCodec.HASH];
        long total = 0;
        for (int i = 0; i < n; i++) {
            lengths[i] = r.getInt();
            if (lengths[i] <= 0 || lengths[i] > MirrorChunking.PARAMS.max()) {
                return Optional.empty();
            }
            total += lengths[i];
            r.get(hashes, i * MirrorCodec.HASH, MirrorCodec.HASH);
        }
        return total == s.size() ? Optional.of(new Entry(lengths, hashes, n)) : Optional.empty();
    }

    /**
     * Records the chunk list of a file just committed, as {@code stamp} describes it after the commit; skipped when
     * the cache is full or the lengths do not add up to the size.
     */
    public void store(FileStamp stamp, int[] lengths, byte[] hashes, int n) throws IOException {
        if (dir == null || stamp == null) {
            return;
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += lengths[i];
        }
        if (total != stamp.size()) {
            return;
        }
        String name = name(stamp);
        alive.add(name);
        int length = HEADER + n * ITEM + CHECKSUM;
        long old = sizes.getOrDefault(name, 0L);
        if ((!sizes.containsKey(name) && sizes.size() >= MAX_ENTRIES) || bytes - old + length > MAX_BYTES) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).put((byte) VERSION).putLong(fingerprint).putLong(stamp.dev()).putLong(stamp.ino())
                .putLong(stamp.size()).putLong(stamp.mtimeNanos()).putLong(stamp.ctimeNanos()).putInt(n);
        for (int i = 0; i < n; i++) {
            b.putInt(lengths[i]).put(hashes, i * MirrorCodec.HASH, MirrorCodec.HASH);
        }
        MessageDigest sha = MirrorChunking.digest();
        sha.update(b.array(), 0, b.position());
        b.put(sha.digest());
        replace(dir, name, b.array());
        sizes.put(name, (long) length);
        bytes += length - old;
    }

    /** Writes {@code content} as {@code dir/name}, mode 0600, through {@code name.tmp} and a rename (a cache: no fsync). */
    private static void replace(Path dir, String name, byte[] content) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.deleteIfExists(tmp);
        Files.write(Files.createFile(tmp, PRIVATE), content, StandardOpenOption.WRITE);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** After a finished run: deletes the entries of inodes this run did not meet (files gone or replaced). */
    public void prune() throws IOException {
        if (dir == null) {
            return;
        }
        for (String name : Set.copyOf(sizes.keySet())) {
            if (!alive.contains(name)) {
                delete(name);
            }
        }
    }

    private void delete(String name) {
        try {
            Files.deleteIfExists(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("deleting the mirror basis cache entry " + dir.resolve(name) + " failed: "
                    + e.getMessage(), e);
        }
        Long size = sizes.remove(name);
        if (size != null) {
            bytes -= size;
        }
    }
}
