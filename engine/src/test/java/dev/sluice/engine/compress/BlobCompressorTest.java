package dev.sluice.engine.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class BlobCompressorTest {

    static byte[] text(int size) {
        String[] words = {"backup", "snapshot", "the", "of", "chunk", "repository", "and", "sink", "source", "key"};
        Random r = new Random(5);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < size) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(9) == 0 ? ".\n" : " ");
        }
        return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), size);
    }

    static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    final BlobCompressor zstd = new BlobCompressor("zstd", 3);

    @Test
    void compressibleDataIsCompressedAndRoundTrips() throws Exception {
        byte[] data = text(1 << 20);
        byte[] padded = new byte[data.length + 20];
        System.arraycopy(data, 0, padded, 10, data.length);
        byte[] framed = zstd.compress(padded, 10, data.length);
        assertEquals(BlobCompressor.ZSTD, framed[0]);
        assertTrue(framed.length < data.length / 2, "compressed to " + framed.length);
        byte[] shifted = new byte[framed.length + 4];
        System.arraycopy(framed, 0, shifted, 2, framed.length);
        assertArrayEquals(data, zstd.decompress(shifted, 2, framed.length, data.length));
    }

    @Test
    void incompressibleAndTinyDataIsStored() throws Exception {
        for (int size : new int[] {0, 1, 10, 100, 1 << 20}) {
            byte[] data = random(size);
            byte[] framed = zstd.compress(data, 0, size);
            assertEquals(BlobCompressor.STORED, framed[0], "size " + size);
            assertEquals(size + 1, framed.length);
            assertArrayEquals(data, zstd.decompress(framed, 0, framed.length, size));
        }
    }

    @Test
    void smallSavingsAreNotWorthIt() throws Exception {
        // 98 % random, 2 % zeros: zstd saves about 2 %, below the 3 % threshold.
        byte[] data = random(1 << 20);
        Arrays.fill(data, 0, data.length / 50, (byte) 0);
        assertEquals(BlobCompressor.STORED, zstd.compress(data, 0, data.length)[0]);
        // 90 % random, 10 % zeros: worth it.
        Arrays.fill(data, 0, data.length / 10, (byte) 0);
        byte[] framed = zstd.compress(data, 0, data.length);
        assertEquals(BlobCompressor.ZSTD, framed[0]);
        assertArrayEquals(data, zstd.decompress(framed, 0, framed.length, data.length));
    }

    @Test
    void noneAlwaysStores() throws Exception {
        BlobCompressor none = new BlobCompressor("none", 0);
        byte[] data = text(10_000);
        byte[] framed = none.compress(data, 0, data.length);
        assertEquals(BlobCompressor.STORED, framed[0]);
        assertArrayEquals(data, none.decompress(framed, 0, framed.length, data.length));
        // Any instance reads both framings.
        byte[] z = zstd.compress(data, 0, data.length);
        assertArrayEquals(data, none.decompress(z, 0, z.length, data.length));
    }

    @Test
    void rejectsOversizedOutput() {
        byte[] data = text(100_000);
        byte[] z = zstd.compress(data, 0, data.length);
        DecompressionException e = assertThrows(DecompressionException.class,
                () -> zstd.decompress(z, 0, z.length, data.length - 1));
        assertTrue(e.getMessage().contains("limit"), e.getMessage());
        byte[] s = new BlobCompressor("none", 0).compress(data, 0, data.length);
        assertThrows(DecompressionException.class, () -> zstd.decompress(s, 0, s.length, data.length - 1));
    }

    @Test
    void rejectsCorruptInput() throws Exception {
        byte[] data = text(100_000);
        byte[] z = zstd.compress(data, 0, data.length);
        assertThrows(DecompressionException.class, () -> zstd.decompress(new byte[0], 0, 0, 100));
        byte[] unknown = z.clone();
        unknown[0] = 7;
        assertTrue(assertThrows(DecompressionException.class, () -> zstd.decompress(unknown, 0, unknown.length, 1 << 20))
                .getMessage().contains("framing byte 7"));
        assertThrows(DecompressionException.class, () -> zstd.decompress(z, 0, 5, 1 << 20));
        assertThrows(DecompressionException.class, () -> zstd.decompress(z, 0, z.length / 2, 1 << 20));
        byte[] trailing = Arrays.copyOf(z, z.length + 3);
        assertThrows(DecompressionException.class, () -> zstd.decompress(trailing, 0, trailing.length, 1 << 20));
        byte[] garbage = random(1000);
        garbage[0] = BlobCompressor.ZSTD;
        assertThrows(DecompressionException.class, () -> zstd.decompress(garbage, 0, garbage.length, 1 << 20));
        // Damage inside the compressed stream: either detected or (rarely) yields different bytes, never a crash.
        int detected = 0;
        for (int pos = 1; pos < z.length; pos += Math.max(1, z.length / 200)) {
            byte[] d = z.clone();
            d[pos] ^= 0x55;
            try {
                byte[] out = zstd.decompress(d, 0, d.length, 1 << 20);
                assertTrue(out.length <= 1 << 20);
            } catch (DecompressionException expected) {
                detected++;
            }
        }
        assertTrue(detected > 0);
    }

    @Test
    void validatesArguments() {
        assertThrows(IllegalArgumentException.class, () -> new BlobCompressor("lz4", 1));
        assertThrows(IllegalArgumentException.class, () -> new BlobCompressor("zstd", 99));
        assertThrows(IllegalArgumentException.class, () -> new BlobCompressor("zstd", 0));
        new BlobCompressor("ZSTD", 1);
    }

    @Test
    void isThreadSafe() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int size = 50_000 + t * 70_000;
                results.add(pool.submit(() -> {
                    byte[] data = text(size);
                    for (int i = 0; i < 20; i++) {
                        byte[] z = zstd.compress(data, 0, data.length);
                        if (!Arrays.equals(data, zstd.decompress(z, 0, z.length, size))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
