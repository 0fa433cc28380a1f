package dev.sluice.engine.config;

import java.util.List;
import java.util.Objects;

/**
 * How blobs are compressed before sealing: {@code zstd} at a level from 1 to 19, or {@code none} (level 0).
 *
 * @param algorithm {@code zstd} or {@code none}; default {@code zstd}
 * @param level the zstd level, 1 to 19, default 3; always 0 for {@code none}
 */
public record CompressionSpec(String algorithm, int level) {

    /** The accepted algorithms. */
    public static final List<String> ALGORITHMS = List.of("zstd", "none");
    /** The zstd level used when the file does not set one. */
    public static final int DEFAULT_ZSTD_LEVEL = 3;
    /** The lowest accepted zstd level. */
    public static final int LOWEST_ZSTD_LEVEL = 1;
    /** The highest accepted zstd level. */
    public static final int HIGHEST_ZSTD_LEVEL = 19;
    /** zstd at level 3. */
    public static final CompressionSpec DEFAULT = new CompressionSpec("zstd", DEFAULT_ZSTD_LEVEL);
    /** No compression. */
    public static final CompressionSpec NONE = new CompressionSpec("none", 0);

    public CompressionSpec {
        Objects.requireNonNull(algorithm, "algorithm");
        if (!ALGORITHMS.contains(algorithm)) {
            throw new IllegalArgumentException("unknown compression '" + algorithm + "'; expected zstd or none");
        }
        if (algorithm.equals("zstd") && (level < LOWEST_ZSTD_LEVEL || level > HIGHEST_ZSTD_LEVEL)) {
            throw new IllegalArgumentException("zstd level " + level + " is outside 1 to 19");
        }
        if (algorithm.equals("none") && level != 0) {
            throw new IllegalArgumentException("compression none takes no level, got " + level);
        }
    }

    /** A short human description, e.g. {@code zstd level 3} or {@code none}. */
    public String describe() {
        return algorithm.equals("none") ? "no compression" : algorithm + " level " + level;
    }
}
