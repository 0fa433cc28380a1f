package dev.sluice.engine.chunk;

/**
 * Minimum, average (target) and maximum chunk size in bytes for content-defined chunking.
 *
 * <p>Valid when {@code 64 <= min < avg < max}, {@code avg} is a power of two and
 * {@code max <= 1 GiB}. The default used for backups is {@link #DEFAULT}.
 *
 * @param min smallest chunk the chunker cuts (only the last chunk of a file may be shorter)
 * @param avg target mean chunk size, a power of two
 * @param max largest chunk; a chunk is cut here when no boundary was found before
 */
public record ChunkerParams(int min, int avg, int max) {

    /**
     * 256 KiB / 1 MiB / 8 MiB: megabyte chunks keep the index small and per-blob costs
     * (id, seal, index entry) negligible; see docs/crypto.md.
     */
    public static final ChunkerParams DEFAULT = new ChunkerParams(256 * 1024, 1024 * 1024, 4 * 1024 * 1024);

    /** Smallest allowed {@link #min}. */
    public static final int MIN_MIN = 64;

    /** Largest allowed {@link #max}. */
    public static final int MAX_MAX = 1 << 30;

    public ChunkerParams {
        if (min < MIN_MIN) {
            throw new IllegalArgumentException("chunker min size " + min + " is below " + MIN_MIN + " bytes");
        }
        if (!(min < avg && avg < max)) {
            throw new IllegalArgumentException(
                    "chunker sizes must satisfy min < avg < max, got min=" + min + " avg=" + avg + " max=" + max);
        }
        if (Integer.bitCount(avg) != 1) {
            throw new IllegalArgumentException("chunker avg size " + avg + " is not a power of two");
        }
        if (max > MAX_MAX) {
            throw new IllegalArgumentException("chunker max size " + max + " exceeds " + MAX_MAX + " bytes");
        }
    }
}
