package dev.sluice.engine.chunk;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256 pseudo-random 64-bit values of the gear rolling hash, derived from a secret seed.
 *
 * <p>Value block {@code i} (four longs, big-endian) is
 * {@code HMAC-SHA-256(seed, "sluice gear table v1" ‖ i)} with {@code i} a one-byte counter
 * 0..63. Because the seed comes from the repository key, chunk boundaries reveal nothing
 * that could be matched against known file contents. Instances are immutable.
 */
public final class GearTable {

    /** Length of the seed in bytes. */
    public static final int SEED_LENGTH = 32;

    private static final byte[] LABEL = "sluice gear table v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final long[] values;

    private GearTable(long[] values) {
        this.values = values;
    }

    /**
     * Derives the table from a 32-byte seed.
     *
     * @throws IllegalArgumentException if the seed is not 32 bytes
     */
    public static GearTable fromSeed(byte[] seed) {
        if (seed == null || seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("gear table seed must be " + SEED_LENGTH + " bytes, got "
                    + (seed == null ? "null" : seed.length));
        }
        long[] values = new long[256];
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(seed, "HmacSHA256"));
            byte[] block = new byte[32];
            for (int i = 0; i < 64; i++) {
                mac.update(LABEL);
                mac.update((byte) i);
                mac.doFinal(block, 0);
                for (int j = 0; j < 4; j++) {
                    values[i * 4 + j] = readLong(block, j * 8);
                }
            }
            Arrays.fill(block, (byte) 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available in this JDK", e);
        }
        return new GearTable(values);
    }

    /** Returns value {@code index} (0..255). */
    public long get(int index) {
        return values[index];
    }

    /** The backing array, shared without copying; callers in this package must not modify it. */
    long[] values() {
        return values;
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = (v << 8) | (b[off + k] & 0xffL);
        }
        return v;
    }

    @Override
    public String toString() {
        return "GearTable[256 values]";
    }
}
