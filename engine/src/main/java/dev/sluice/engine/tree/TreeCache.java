package dev.sluice.engine.tree;

import dev.sluice.engine.fs.CacheRoot;
import dev.sluice.engine.repository.AtomicFile;
import dev.sluice.engine.repository.BlobId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A source's local copies of its own sealed tree blobs, one file per blob named by its id, so a push can read its
 * parent snapshot's metadata without fetching it from the sink. Nothing here is trusted: the reader opens every
 * blob with the key (its id and kind are bound into the seal) and treats a file that does not open as absent.
 * Bounded by {@link #keepOnly}: after a push only the new snapshot's tree blobs stay.
 */
public final class TreeCache {
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{64}");
    private static final TreeCache NONE = new TreeCache(null);

    private final Path dir;

    private TreeCache(Path dir) {
        this.dir = dir;
    }

    /** A cache in {@code dir}, created when first written; a missing directory is an empty cache. */
    public static TreeCache at(Path dir) {
        return new TreeCache(dir.toAbsolutePath());
    }

    /** No cache: reads find nothing and writes are dropped. */
    public static TreeCache none() {
        return NONE;
    }

    /**
     * The cache directory of one job's tree blobs under {@code root}:
     * {@code root/<repository id>/<first 16 hex of SHA-256 of the job name>/trees}. Job names are arbitrary UTF-8,
     * hence the hash; it only has to keep two jobs' caches apart.
     */
    public static TreeCache forJob(Path root, String repositoryId, String job) {
        if (!repositoryId.matches("[0-9a-zA-Z-]{1,128}")) {
            throw new IllegalArgumentException("repository id '" + repositoryId + "' cannot name a cache directory");
        }
        String jobHash;
        try {
            jobHash = BlobId.of(MessageDigest.getInstance("SHA-256").digest(job.getBytes(StandardCharsets.UTF_8)))
                    .hex().substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        return at(root.resolve(repositoryId).resolve(jobHash).resolve("trees"));
    }

    /**
     * The default root of sluice's caches: {@code $XDG_CACHE_HOME/sluice}, else {@code $HOME/.cache/sluice};
     * empty if neither is set (no cache then).
     */
    public static Optional<Path> defaultRoot(Map<String, String> env) {
        return CacheRoot.of(env);
    }

    /** The directory, or empty for {@link #none()}. */
    public Optional<Path> dir() {
        return Optional.ofNullable(dir);
    }

    private Path file(BlobId id) {
        return dir.resolve(id.hex());
    }

    /** The cached sealed bytes of {@code id}, unverified; empty if there are none. */
    public Optional<byte[]> read(BlobId id) throws IOException {
        if (dir == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(file(id)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** True if a file for {@code id} exists (its content is not checked). */
    public boolean contains(BlobId id) {
        return dir != null && Files.isRegularFile(file(id));
    }

    /** Stores the sealed bytes of {@code id} atomically (temporary file, fsync, rename). */
    public void write(BlobId id, byte[] sealed) throws IOException {
        if (dir == null) {
            return;
        }
        Files.createDirectories(dir);
        AtomicFile.write(dir, file(id), sealed);
    }

    /** Deletes the file of {@code id}, if any (a file that did not open). */
    public void remove(BlobId id) throws IOException {
        if (dir != null) {
            Files.deleteIfExists(file(id));
        }
    }

    /** Deletes every cached blob not in {@code keep}, and stray temporary files; returns how many files went. */
    public int keepOnly(Collection<BlobId> keep) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        Set<String> names = new HashSet<>();
        keep.forEach(id -> names.add(id.hex()));
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                boolean blob = NAME.matcher(name).matches();
                if ((blob && !names.contains(name)) || (!blob && name.endsWith(".tmp"))) {
                    Files.deleteIfExists(f);
                    removed++;
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return removed;
    }
}
