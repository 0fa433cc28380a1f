package dev.sluice.engine.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounds for content-defined chunking, in bytes: {@code 1KiB <= min < avg < max <= 64MiB}, avg a power of two.
 *
 * @param min the smallest chunk (except a file's last); default 256KiB
 * @param avg the target average chunk size, a power of two; default 1MiB
 * @param max the largest chunk; default 4MiB
 */
public record ChunkerSpec(long min, long avg, long max) {

    /** The smallest allowed {@code min}. */
    public static final long LOWEST_MIN = 1L << 10;
    /** The largest allowed {@code max}. */
    public static final long HIGHEST_MAX = 64L << 20;
    /** 256KiB / 1MiB / 4MiB. */
    public static final ChunkerSpec DEFAULT = new ChunkerSpec(256L << 10, 1L << 20, 4L << 20);

    public ChunkerSpec {
        List<Violation> violations = check(min, avg, max);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException(violations.get(0).field() + ": " + violations.get(0).message());
        }
    }

    /** Every rule the three values break, each attributed to the field it is reported on. */
    static List<Violation> check(long min, long avg, long max) {
        List<Violation> out = new ArrayList<>();
        if (min < LOWEST_MIN) {
            out.add(new Violation("min", "min " + ByteSize.format(min) + " is below the lowest allowed 1KiB"));
        }
        if (max > HIGHEST_MAX) {
            out.add(new Violation("max", "max " + ByteSize.format(max) + " is above the highest allowed 64MiB"));
        }
        if (avg <= 0 || Long.bitCount(avg) != 1) {
            out.add(new Violation("avg", "avg " + ByteSize.format(avg)
                    + " is not a power of two; use for example 512KiB, 1MiB or 2MiB"));
        }
        if (min >= avg) {
            out.add(new Violation("min", "min " + ByteSize.format(min) + " must be smaller than avg "
                    + ByteSize.format(avg)));
        }
        if (avg >= max) {
            out.add(new Violation("max", "max " + ByteSize.format(max) + " must be larger than avg "
                    + ByteSize.format(avg)));
        }
        return out;
    }

    /** A broken rule: the field to point at ({@code min}, {@code avg} or {@code max}) and a sentence. */
    record Violation(String field, String message) {}
}
