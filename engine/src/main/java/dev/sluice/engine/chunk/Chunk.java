package dev.sluice.engine.chunk;

import java.util.Arrays;
import java.util.Objects;

/**
 * One content-defined piece of a file: where it starts in the file and its bytes.
 *
 * <p>{@code data} is exactly the chunk's length and owned by whoever holds the record;
 * nothing else keeps a reference to it. Equality is by identity of the array (records do
 * not compare array contents).
 *
 * @param offset position of the first byte within the file, {@code >= 0}
 * @param data the chunk's bytes, never empty
 */
public record Chunk(long offset, byte[] data, int length) {

    private static final byte[] ZEROS = new byte[8192];

    public Chunk {
        if (offset < 0) {
            throw new IllegalArgumentException("chunk offset " + offset + " is negative");
        }
        Objects.requireNonNull(data, "data");
        if (length <= 0 || length > data.length) {
            throw new IllegalArgumentException("chunk at offset " + offset + " has length " + length
                    + " in an array of " + data.length);
        }
    }

    /** A chunk that is exactly the whole array. */
    public Chunk(long offset, byte[] data) {
        this(offset, data, Objects.requireNonNull(data, "data").length == 0 ? -1 : data.length);
    }

    /** True when every byte of the chunk is zero (a hole candidate for sparse files). */
    public boolean isAllZero() {
        return isAllZero(data, length);
    }

    /**
     * True when every byte of {@code data} is zero; an empty array counts as all zero.
     * Compares 8 KiB blocks against a zero block with {@link Arrays#mismatch}, which the JIT
     * vectorises.
     */
    public static boolean isAllZero(byte[] data) {
        return isAllZero(data, data.length);
    }

    /** True when the first {@code n} bytes of {@code data} are zero. */
    public static boolean isAllZero(byte[] data, int n) {
        int i = 0;
        while (i < n) {
            int step = Math.min(ZEROS.length, n - i);
            if (Arrays.mismatch(data, i, i + step, ZEROS, 0, step) >= 0) {
                return false;
            }
            i += step;
        }
        return true;
    }

    @Override
    public String toString() {
        return "Chunk[offset=" + offset + ", length=" + data.length + "]";
    }
}
