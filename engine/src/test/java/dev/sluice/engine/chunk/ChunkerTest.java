package dev.sluice.engine.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    static final ChunkerParams SMALL = new ChunkerParams(16 * 1024, 64 * 1024, 256 * 1024);

    static byte[] seed(int n) {
        byte[] s = new byte[32];
        for (int i = 0; i < 32; i++) {
            s[i] = (byte) (n * 31 + i);
        }
        return s;
    }

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i += 8) {
            long v = r.nextLong();
            for (int k = 0; k < 8 && i + k < size; k++) {
                b[i + k] = (byte) (v >>> (8 * k));
            }
        }
        return b;
    }

    /** Cuts the whole array the way ChunkReader does and returns the chunk lengths. */
    static List<Integer> lengths(Chunker chunker, byte[] data) {
        List<Integer> out = new ArrayList<>();
        int off = 0;
        while (off < data.length) {
            int n = chunker.cut(data, off, Math.min(chunker.params().max(), data.length - off));
            out.add(n);
            off += n;
        }
        return out;
    }

    /** The definition in Chunker's javadoc, one byte at a time: the boundaries every version must keep. */
    static int referenceCut(ChunkerParams p, long[] gear, byte[] buf, int off, int len) {
        len = Math.min(len, p.max());
        if (len <= p.min()) {
            return len;
        }
        int bits = Integer.numberOfTrailingZeros(p.avg());
        long strict = -1L << (64 - (bits + 1));
        long loose = -1L << (64 - Math.max(1, bits - 1));
        int switchPoint = Chunker.switchPoint(p);
        long h = 0;
        for (int k = p.min(); k < len; k++) {
            h = (h << 1) + gear[buf[off + k] & 0xff];
            if ((h & (k < switchPoint ? strict : loose)) == 0) {
                return k + 1;
            }
        }
        return len;
    }

    @Test
    void boundariesEqualTheOneByteDefinitionForEveryParityOfStartAndSwitch() {
        GearTable table = GearTable.fromSeed(seed(5));
        SplittableRandom r = new SplittableRandom(21);
        // small averages give many boundaries (and loose-mask cuts); odd minimums and lengths move the switch
        // point and the end to either position of a two-byte step
        ChunkerParams[] all = {new ChunkerParams(64, 128, 1024), new ChunkerParams(65, 128, 1031),
                new ChunkerParams(97, 256, 2049), new ChunkerParams(4 * 1024, 16 * 1024, 64 * 1024), SMALL};
        byte[] noise = random(77, 1 << 20);
        byte[] lowEntropy = new byte[1 << 20];
        for (int i = 0; i < lowEntropy.length; i++) {
            lowEntropy[i] = (byte) (i % 7 == 0 ? r.nextInt(4) : 0);
        }
        int compared = 0;
        for (ChunkerParams p : all) {
            Chunker c = new Chunker(p, table);
            for (byte[] data : new byte[][] {noise, lowEntropy}) {
                for (int t = 0; t < 3000; t++) {
                    int off = r.nextInt(data.length - 1);
                    int len = 1 + r.nextInt(Math.min(data.length - off, p.max() + 3));
                    assertEquals(referenceCut(p, table.values(), data, off, len), c.cut(data, off, len),
                            "params " + p + ", offset " + off + ", len " + len);
                    compared++;
                }
                // whole buffers, as the readers cut them
                int off = 0;
                while (off < data.length) {
                    int len = Math.min(p.max(), data.length - off);
                    int n = c.cut(data, off, len);
                    assertEquals(referenceCut(p, table.values(), data, off, len), n, "params " + p + " at " + off);
                    off += n;
                }
            }
        }
        assertTrue(compared > 20_000);
    }

    @Test
    void paramsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkerParams(32, 64, 128));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerParams(1024, 1000, 4096));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerParams(2048, 1024, 4096));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerParams(256, 1024, 1024));
        new ChunkerParams(64, 128, 129);
        ChunkerParams d = ChunkerParams.DEFAULT;
        assertTrue(d.min() < d.avg() && d.avg() < d.max());
    }

    @Test
    void gearTableIsDeterministicPerSeedAndDiffersAcrossSeeds() {
        GearTable a = GearTable.fromSeed(seed(1));
        GearTable b = GearTable.fromSeed(seed(1));
        GearTable c = GearTable.fromSeed(seed(2));
        Set<Long> distinct = new HashSet<>();
        int same = 0;
        for (int i = 0; i < 256; i++) {
            assertEquals(a.get(i), b.get(i));
            distinct.add(a.get(i));
            if (a.get(i) == c.get(i)) {
                same++;
            }
        }
        assertEquals(256, distinct.size());
        assertEquals(0, same);
        assertThrows(IllegalArgumentException.class, () -> GearTable.fromSeed(new byte[31]));
    }

    @Test
    void boundariesAreDeterministicForASeed() {
        byte[] data = random(7, 4 << 20);
        List<Integer> first = lengths(new Chunker(SMALL, GearTable.fromSeed(seed(1))), data);
        List<Integer> second = lengths(new Chunker(SMALL, GearTable.fromSeed(seed(1))), data);
        assertEquals(first, second);
        assertTrue(first.size() > 10, "expected many chunks, got " + first.size());
    }

    @Test
    void differentSeedGivesDifferentBoundaries() {
        byte[] data = random(7, 4 << 20);
        List<Integer> a = lengths(new Chunker(SMALL, GearTable.fromSeed(seed(1))), data);
        List<Integer> b = lengths(new Chunker(SMALL, GearTable.fromSeed(seed(2))), data);
        assertNotEquals(a, b);
        Set<Long> cutsA = cutPositions(a);
        Set<Long> cutsB = cutPositions(b);
        cutsA.retainAll(cutsB);
        assertTrue(cutsA.size() < a.size() / 4, "too many shared boundaries: " + cutsA.size());
    }

    static Set<Long> cutPositions(List<Integer> lengths) {
        Set<Long> cuts = new HashSet<>();
        long pos = 0;
        for (int n : lengths) {
            pos += n;
            cuts.add(pos);
        }
        return cuts;
    }

    @Test
    void minAndMaxAreRespected() {
        // Mostly-constant data has no boundaries, so max matters; random data tests min.
        byte[] data = random(3, 8 << 20);
        for (int i = 2 << 20; i < 4 << 20; i++) {
            data[i] = 0;
        }
        Chunker chunker = new Chunker(SMALL, GearTable.fromSeed(seed(1)));
        List<Integer> lens = lengths(chunker, data);
        boolean sawMax = false;
        for (int i = 0; i < lens.size(); i++) {
            int n = lens.get(i);
            assertTrue(n <= SMALL.max(), "chunk " + i + " is " + n);
            if (i < lens.size() - 1) {
                assertTrue(n > SMALL.min(), "chunk " + i + " is " + n);
            }
            sawMax |= n == SMALL.max();
        }
        assertTrue(sawMax, "the zero run should produce max-size chunks");
    }

    @Test
    void switchPointLiesBetweenMinAndAvg() {
        assertEquals(SMALL.min() + 23_897, Chunker.switchPoint(SMALL));
        ChunkerParams half = new ChunkerParams(32 * 1024, 64 * 1024, 256 * 1024);
        assertEquals(half.min(), Chunker.switchPoint(half));
        ChunkerParams eighth = new ChunkerParams(8 * 1024, 64 * 1024, 512 * 1024);
        int s = Chunker.switchPoint(eighth);
        assertTrue(s > eighth.min() && s < eighth.avg(), "switch point " + s);
    }

    @Test
    void shortInputsAndOversizedLen() {
        Chunker chunker = new Chunker(SMALL, GearTable.fromSeed(seed(1)));
        byte[] data = random(5, 2 * SMALL.max());
        assertEquals(1, chunker.cut(data, 0, 1));
        assertEquals(SMALL.min(), chunker.cut(data, 10, SMALL.min()));
        int n = chunker.cut(data, 0, data.length);
        assertTrue(n <= SMALL.max());
        assertEquals(n, chunker.cut(data, 0, SMALL.max()));
        assertThrows(IllegalArgumentException.class, () -> chunker.cut(data, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> chunker.cut(data, data.length - 5, 10));
    }

    @Test
    void meanChunkSizeIsNearAverage() {
        byte[] data = random(11, 64 << 20);
        for (ChunkerParams p : List.of(SMALL, ChunkerParams.DEFAULT, new ChunkerParams(8 * 1024, 64 * 1024, 512 * 1024),
                new ChunkerParams(32 * 1024, 64 * 1024, 256 * 1024), new ChunkerParams(48 * 1024, 64 * 1024, 256 * 1024))) {
            List<Integer> lens = lengths(new Chunker(p, GearTable.fromSeed(seed(4))), data);
            double mean = (double) data.length / lens.size();
            assertTrue(mean > p.avg() * 0.7 && mean < p.avg() * 1.3,
                    "mean chunk size " + mean + " is not within 30% of " + p.avg() + " for " + p);
        }
    }

    @Test
    void insertionChangesFewChunks() {
        byte[] data = random(13, 32 << 20);
        byte[] edited = new byte[data.length + 100];
        int mid = data.length / 2;
        System.arraycopy(data, 0, edited, 0, mid);
        byte[] insert = random(99, 100);
        System.arraycopy(insert, 0, edited, mid, 100);
        System.arraycopy(data, mid, edited, mid + 100, data.length - mid);
        Chunker chunker = new Chunker(SMALL, GearTable.fromSeed(seed(1)));
        Set<ByteBuffer> before = contents(data, lengths(chunker, data));
        Set<ByteBuffer> after = contents(edited, lengths(chunker, edited));
        Set<ByteBuffer> added = new HashSet<>(after);
        added.removeAll(before);
        assertTrue(added.size() >= 1 && added.size() <= 3, "insertion changed " + added.size() + " chunks");
        assertTrue(before.size() > 100);
    }

    static Set<ByteBuffer> contents(byte[] data, List<Integer> lengths) {
        Set<ByteBuffer> set = new HashSet<>();
        int off = 0;
        for (int n : lengths) {
            set.add(ByteBuffer.wrap(data, off, n).slice());
            off += n;
        }
        return set;
    }

    @Test
    void isAllZero() {
        assertTrue(Chunk.isAllZero(new byte[0]));
        assertTrue(Chunk.isAllZero(new byte[100_000]));
        for (int pos : new int[] {0, 1, 8191, 8192, 8193, 99_999}) {
            byte[] b = new byte[100_000];
            b[pos] = 1;
            assertTrue(!Chunk.isAllZero(b), "non-zero byte at " + pos + " not seen");
        }
        assertArrayEquals(new byte[3], new Chunk(0, new byte[3]).data());
        assertThrows(IllegalArgumentException.class, () -> new Chunk(-1, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> new Chunk(0, new byte[0]));
    }
}
