package dev.sluice.engine.mirror;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The keyed 128-bit chunk hash of a mirror run: NH (the universal hash of UMAC) over little-endian 64-bit words with a
 * 128-bit sum, followed by a bijective mix that also takes the length. The receiver draws a random key for each run,
 * so content written before the run cannot be made to collide: for two different inputs of equal length the chance
 * that their hashes are equal is at most 2⁻⁶⁴ over the key (chunks are matched by length and hash).
 *
 * <p>Definition (docs/mirror.md "Chunk hash"): the 16-byte key is expanded to {@link #MAX_INPUT}/8 words
 * {@code k[j]}, 4 words per SHA-256("sluice mirror chunk hash v1" ‖ key ‖ u32be(block)), read little-endian. The input
 * is padded with zeros to a multiple of 16 bytes and read as little-endian words {@code m[j]}; then
 * {@code s = Σ (m[2i] + k[2i] mod 2⁶⁴) · (m[2i+1] + k[2i+1] mod 2⁶⁴) mod 2¹²⁸}, unsigned; the hash is
 * {@link #mix}(low(s), high(s), length) written as two little-endian words. Inputs are at most {@link #MAX_INPUT}
 * bytes (the largest chunk). Instances are immutable and thread-safe.
 */
public final class ChunkHash {
    /** Bytes of the key the receiver sends in OPENED. */
    public static final int KEY_BYTES = 16;
    /** Bytes of a hash. */
    public static final int BYTES = 16;
    /** The longest input: the chunker's largest chunk. */
    public static final int MAX_INPUT = 64 * 1024;

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final byte[] DOMAIN = "sluice mirror chunk hash v1".getBytes(StandardCharsets.US_ASCII);

    private final long[] k;

    /** A hash keyed with {@code key} ({@link #KEY_BYTES} bytes). */
    public ChunkHash(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a chunk hash key has " + KEY_BYTES + " bytes, not " + key.length);
        }
        k = new long[MAX_INPUT / 8];
        MessageDigest sha = MirrorChunking.digest();
        ByteBuffer words = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (int block = 0; block < k.length / 4; block++) {
            sha.update(DOMAIN);
            sha.update(key);
            sha.update(ByteBuffer.allocate(4).putInt(block).array());
            words.clear();
            words.put(sha.digest()).flip();
            for (int j = 0; j < 4; j++) {
                k[block * 4 + j] = words.getLong();
            }
        }
    }

    /** Hashes {@code b[off, off+len)} into {@code out[outOff, outOff+16)}. */
    public void hash(byte[] b, int off, int len, byte[] out, int outOff) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        java.util.Objects.checkFromIndexSize(outOff, BYTES, out.length);
        if (len > MAX_INPUT) {
            throw new IllegalArgumentException("chunk hash input of " + len + " bytes; at most " + MAX_INPUT);
        }
        final long[] key = k;
        // The 128-bit sum without a carry chain: the products' low words are added as 32-bit halves into two
        // 64-bit accumulators (at most 4,096 products of at most 2^32 - 1 each: no overflow), their high words into
        // a third; the halves are joined once at the end. Two lanes (even and odd blocks) keep the multiplier busy.
        long loA = 0;
        long midA = 0;
        long hiA = 0;
        long loB = 0;
        long midB = 0;
        long hiB = 0;
        int full = len & ~15;
        int pairs = len & ~31;
        int w = 0;
        int at = 0;
        for (; at < pairs; at += 32, w += 4) {
            long a0 = (long) LONG_LE.get(b, off + at) + key[w];
            long c0 = (long) LONG_LE.get(b, off + at + 8) + key[w + 1];
            long a1 = (long) LONG_LE.get(b, off + at + 16) + key[w + 2];
            long c1 = (long) LONG_LE.get(b, off + at + 24) + key[w + 3];
            long p0 = a0 * c0;
            long p1 = a1 * c1;
            hiA += Math.multiplyHigh(a0, c0) + ((a0 >> 63) & c0) + ((c0 >> 63) & a0);
            hiB += Math.multiplyHigh(a1, c1) + ((a1 >> 63) & c1) + ((c1 >> 63) & a1);
            loA += p0 & 0xffffffffL;
            midA += p0 >>> 32;
            loB += p1 & 0xffffffffL;
            midB += p1 >>> 32;
        }
        if (at < full) {
            long a0 = (long) LONG_LE.get(b, off + at) + key[w];
            long c0 = (long) LONG_LE.get(b, off + at + 8) + key[w + 1];
            long p0 = a0 * c0;
            hiA += Math.multiplyHigh(a0, c0) + ((a0 >> 63) & c0) + ((c0 >> 63) & a0);
            loA += p0 & 0xffffffffL;
            midA += p0 >>> 32;
            w += 2;
        }
        // sum = (hiA + hiB) * 2^64 + (midA + midB) * 2^32 + (loA + loB), mod 2^128
        long low = loA + loB;
        long mid = midA + midB;
        long lo = low + (mid << 32);
        long hi = hiA + hiB + (mid >>> 32) + (Long.compareUnsigned(lo, low) < 0 ? 1 : 0);
        int rest = len - full;
        if (rest > 0) {
            long m0 = 0;
            long m1 = 0;
            int base = off + full;
            for (int i = rest - 1; i >= 0; i--) {
                long v = b[base + i] & 0xffL;
                if (i >= 8) {
                    m1 = m1 << 8 | v;
                } else {
                    m0 = m0 << 8 | v;
                }
            }
            long a = m0 + key[w];
            long c = m1 + key[w + 1];
            long pl = a * c;
            long ph = Math.multiplyHigh(a, c) + ((a >> 63) & c) + ((c >> 63) & a);
            long sum = lo + pl;
            hi += ph + (((lo & pl) | ((lo | pl) & ~sum)) >>> 63);
            lo = sum;
        }
        mix(lo, hi, len, out, outOff);
    }

    /**
     * The final step, a bijection of the 128-bit sum for a given length (so it keeps the collision bound):
     * {@code x = f(lo ^ (len + 1)·φ)} (φ = 0x9e3779b97f4a7c15), {@code y = f(hi ^ x)}, {@code x = f(x + y)}, output {@code x, y} with
     * {@code f} the 64-bit finalizer {@code z ^= z >>> 33; z *= 0xff51afd7ed558ccd; z ^= z >>> 33;
     * z *= 0xc4ceb9fe1a85ec53; z ^= z >>> 33}.
     */
    private static void mix(long lo, long hi, int len, byte[] out, int outOff) {
        long x = f(lo ^ (len + 1L) * 0x9e3779b97f4a7c15L);
        long y = f(hi ^ x);
        x = f(x + y);
        LONG_LE.set(out, outOff, x);
        LONG_LE.set(out, outOff + 8, y);
    }

    private static long f(long z) {
        z ^= z >>> 33;
        z *= 0xff51afd7ed558ccdL;
        z ^= z >>> 33;
        z *= 0xc4ceb9fe1a85ec53L;
        z ^= z >>> 33;
        return z;
    }
}
