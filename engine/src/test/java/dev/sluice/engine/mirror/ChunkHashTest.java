package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The mirror's chunk hash: fixed vectors (the wire format cannot drift), equality with a slow implementation of the
 * documented definition, key and length sensitivity, avalanche and bucket distribution.
 */
class ChunkHashTest {
    private static final byte[] KEY = new byte[16];

    static {
        for (int i = 0; i < 16; i++) {
            KEY[i] = (byte) i;
        }
    }

    private static byte[] pattern() {
        byte[] in = new byte[ChunkHash.MAX_INPUT];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (i * 31 + 7);
        }
        return in;
    }

    private static String hex(ChunkHash h, byte[] in, int off, int len) {
        byte[] out = new byte[ChunkHash.BYTES];
        h.hash(in, off, len, out, 0);
        return HexFormat.of().formatHex(out);
    }

    @Test
    void fixedVectors() {
        ChunkHash h = new ChunkHash(KEY);
        byte[] in = pattern();
        assertEquals("1df83a0d7f2efc5cdc18c6061cd59363", hex(h, in, 0, 0));
        assertEquals("bf9d74c165537188f2831f7b2d362bbe", hex(h, in, 0, 1));
        assertEquals("ab5a6ef498ebc5b51a075edfa7061840", hex(h, in, 0, 15));
        assertEquals("82aa79b620d370f7992949a9895e5a54", hex(h, in, 0, 16));
        assertEquals("84360ad50d136944f268185dcc5f4bc1", hex(h, in, 0, 17));
        assertEquals("48b7697dfd60e18fb585de4c5eacd5aa", hex(h, in, 0, 100));
        assertEquals("b41097d43141fc9bc55dad982651c809", hex(h, in, 0, 4096));
        assertEquals("e72cb05c707d156fdb5d0997bdd424d1", hex(h, in, 0, 65536));
    }

    @Test
    void equalsTheDocumentedDefinition() throws Exception {
        Random r = new Random(5);
        for (int t = 0; t < 200; t++) {
            byte[] key = new byte[16];
            r.nextBytes(key);
            int len = t < 40 ? t : r.nextInt(ChunkHash.MAX_INPUT + 1);
            byte[] in = new byte[len + 7];
            r.nextBytes(in);
            byte[] out = new byte[20];
            new ChunkHash(key).hash(in, 3, len, out, 2);
            assertArrayEquals(reference(key, Arrays.copyOfRange(in, 3, 3 + len)), Arrays.copyOfRange(out, 2, 18),
                    "length " + len);
        }
    }

    /** The definition in ChunkHash's javadoc, with BigInteger arithmetic. */
    private static byte[] reference(byte[] key, byte[] m) throws Exception {
        long[] k = new long[ChunkHash.MAX_INPUT / 8];
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int block = 0; block < k.length / 4; block++) {
            sha.update("sluice mirror chunk hash v1".getBytes(StandardCharsets.US_ASCII));
            sha.update(key);
            sha.update(ByteBuffer.allocate(4).putInt(block).array());
            ByteBuffer w = ByteBuffer.wrap(sha.digest()).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < 4; j++) {
                k[block * 4 + j] = w.getLong();
            }
        }
        ByteBuffer padded = ByteBuffer.allocate((m.length + 15) / 16 * 16).order(ByteOrder.LITTLE_ENDIAN).put(m);
        padded.flip().limit(padded.capacity());
        BigInteger two64 = BigInteger.ONE.shiftLeft(64);
        BigInteger mod = BigInteger.ONE.shiftLeft(128);
        BigInteger s = BigInteger.ZERO;
        for (int i = 0; padded.remaining() >= 16; i++) {
            BigInteger a = unsigned(padded.getLong()).add(unsigned(k[2 * i])).mod(two64);
            BigInteger b = unsigned(padded.getLong()).add(unsigned(k[2 * i + 1])).mod(two64);
            s = s.add(a.multiply(b)).mod(mod);
        }
        long lo = s.longValue();
        long hi = s.shiftRight(64).longValue();
        long x = f(lo ^ (m.length + 1L) * 0x9e3779b97f4a7c15L);
        long y = f(hi ^ x);
        x = f(x + y);
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(x).putLong(y).array();
    }

    private static BigInteger unsigned(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    private static long f(long z) {
        z ^= z >>> 33;
        z *= 0xff51afd7ed558ccdL;
        z ^= z >>> 33;
        z *= 0xc4ceb9fe1a85ec53L;
        z ^= z >>> 33;
        return z;
    }

    @Test
    void theKeyAndTheLengthChangeTheHash() {
        byte[] in = new byte[4096];
        byte[] other = KEY.clone();
        other[15] ^= 1;
        assertFalse(hex(new ChunkHash(KEY), in, 0, 4096).equals(hex(new ChunkHash(other), in, 0, 4096)));
        // zero padding: the same words, a different length
        assertFalse(hex(new ChunkHash(KEY), in, 0, 4095).equals(hex(new ChunkHash(KEY), in, 0, 4096)));
    }

    @Test
    void flippingAnyInputBitChangesAboutHalfTheOutputBits() {
        ChunkHash h = new ChunkHash(KEY);
        Random r = new Random(11);
        byte[] in = new byte[1000];
        r.nextBytes(in);
        byte[] base = new byte[16];
        h.hash(in, 0, in.length, base, 0);
        byte[] out = new byte[16];
        long total = 0;
        int[] perOutputBit = new int[128];
        int flips = in.length * 8;
        for (int bit = 0; bit < flips; bit++) {
            in[bit >> 3] ^= (byte) (1 << (bit & 7));
            h.hash(in, 0, in.length, out, 0);
            in[bit >> 3] ^= (byte) (1 << (bit & 7));
            int changed = 0;
            for (int o = 0; o < 128; o++) {
                if (((out[o >> 3] ^ base[o >> 3]) >> (o & 7) & 1) != 0) {
                    changed++;
                    perOutputBit[o]++;
                }
            }
            assertTrue(changed >= 32 && changed <= 96, "bit " + bit + " changed " + changed + " output bits");
            total += changed;
        }
        double mean = (double) total / flips;
        assertTrue(mean > 62 && mean < 66, "mean output bits changed: " + mean);
        for (int o = 0; o < 128; o++) {
            double p = (double) perOutputBit[o] / flips;
            assertTrue(p > 0.45 && p < 0.55, "output bit " + o + " changed with probability " + p);
        }
    }

    @Test
    void similarInputsSpreadEvenlyOverBuckets() {
        ChunkHash h = new ChunkHash(KEY);
        int n = 64_000;
        int[] buckets = new int[64];
        Set<String> seen = new HashSet<>();
        byte[] in = new byte[4096];
        byte[] out = new byte[16];
        for (int i = 0; i < n; i++) {
            ByteBuffer.wrap(in).putInt(i);
            h.hash(in, 0, in.length, out, 0);
            buckets[out[0] & 63]++;
            assertTrue(seen.add(HexFormat.of().formatHex(out)), "a collision among counters at " + i);
        }
        double expected = n / 64.0;
        double chi = 0;
        for (int b : buckets) {
            chi += (b - expected) * (b - expected) / expected;
        }
        // 63 degrees of freedom: 110 is far beyond the 99.99th percentile
        assertTrue(chi < 110, "chi-square " + chi);
    }

    @Test
    void refusesInputsLongerThanTheLargestChunkAndBadKeys() {
        ChunkHash h = new ChunkHash(KEY);
        byte[] in = new byte[ChunkHash.MAX_INPUT + 1];
        assertThrows(IllegalArgumentException.class, () -> h.hash(in, 0, in.length, new byte[16], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> h.hash(in, 1, ChunkHash.MAX_INPUT + 1, new byte[16], 0));
        assertThrows(IllegalArgumentException.class, () -> new ChunkHash(new byte[15]));
        assertEquals(ChunkHash.MAX_INPUT, MirrorChunking.PARAMS.max(), "the hash covers the largest chunk");
    }
}
