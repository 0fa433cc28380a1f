package dev.sluice.engine.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class BlobSealerTest {

    final SecureRandom random = new SecureRandom();
    final MasterKey key = MasterKey.generate(random);
    final byte[] id = new byte[32];

    {
        random.nextBytes(id);
    }

    @Test
    void roundTripForManySizesAndOffsets() throws Exception {
        BlobSealer sealer = new BlobSealer(key, random);
        BlobOpener opener = new BlobOpener(key);
        for (int size : new int[] {0, 1, 15, 16, 17, 1000, 1 << 20}) {
            byte[] plain = new byte[size + 10];
            random.nextBytes(plain);
            byte[] sealed = sealer.seal((byte) 3, id, plain, 5, size);
            assertEquals(size + BlobSealer.OVERHEAD, sealed.length);
            assertArrayEquals(sealer.salt(), java.util.Arrays.copyOf(sealed, 16));
            byte[] framed = new byte[sealed.length + 7];
            System.arraycopy(sealed, 0, framed, 3, sealed.length);
            byte[] opened = opener.open((byte) 3, id, framed, 3, sealed.length);
            assertArrayEquals(java.util.Arrays.copyOfRange(plain, 5, 5 + size), opened);
        }
    }

    @Test
    void countsUpAndNeverRepeatsANonce() {
        BlobSealer sealer = new BlobSealer(key, random);
        byte[] a = sealer.seal((byte) 1, id, new byte[8], 0, 8);
        byte[] b = sealer.seal((byte) 1, id, new byte[8], 0, 8);
        assertEquals(0L, ByteBuffer.wrap(a, 16, 8).getLong());
        assertEquals(1L, ByteBuffer.wrap(b, 16, 8).getLong());
        assertNotEquals(ByteBuffer.wrap(a, 24, 24), ByteBuffer.wrap(b, 24, 24));
    }

    @Test
    void everySingleByteFlipIsDetected() throws Exception {
        BlobSealer sealer = new BlobSealer(key, random);
        BlobOpener opener = new BlobOpener(key);
        byte[] plain = "short blob".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] sealed = sealer.seal((byte) 1, id, plain, 0, plain.length);
        assertArrayEquals(plain, opener.open((byte) 1, id, sealed, 0, sealed.length));
        for (int pos = 0; pos < sealed.length; pos++) {
            for (int bit : new int[] {0x01, 0x80, 0xff}) {
                byte[] damaged = sealed.clone();
                damaged[pos] ^= (byte) bit;
                final int p = pos;
                assertThrows(BlobAuthenticationException.class,
                        () -> opener.open((byte) 1, id, damaged, 0, damaged.length), "flip at byte " + p);
            }
        }
        // Truncation and extension are detected too.
        assertThrows(BlobAuthenticationException.class, () -> opener.open((byte) 1, id, sealed, 0, sealed.length - 1));
        assertThrows(BlobAuthenticationException.class, () -> opener.open((byte) 1, id, new byte[39], 0, 39));
    }

    @Test
    void wrongKindIdOrKeyFails() throws Exception {
        byte[] sealed = new BlobSealer(key, random).seal((byte) 1, id, new byte[100], 0, 100);
        BlobOpener opener = new BlobOpener(key);
        assertThrows(BlobAuthenticationException.class, () -> opener.open((byte) 2, id, sealed, 0, sealed.length));
        byte[] otherId = id.clone();
        otherId[31] ^= 1;
        assertThrows(BlobAuthenticationException.class, () -> opener.open((byte) 1, otherId, sealed, 0, sealed.length));
        assertThrows(BlobAuthenticationException.class, () -> opener.open((byte) 1, new byte[0], sealed, 0, sealed.length));
        BlobOpener stranger = new BlobOpener(MasterKey.generate(random));
        assertThrows(BlobAuthenticationException.class, () -> stranger.open((byte) 1, id, sealed, 0, sealed.length));
        assertEquals(100, opener.open((byte) 1, id, sealed, 0, sealed.length).length);
    }

    @Test
    void sealersNeverShareASalt() {
        Set<ByteBuffer> salts = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(salts.add(ByteBuffer.wrap(new BlobSealer(key, random).salt())));
        }
    }

    @Test
    void refusesToWrapTheCounter() {
        BlobSealer sealer = new BlobSealer(key, random, Long.MAX_VALUE);
        byte[] last = sealer.seal((byte) 1, id, new byte[1], 0, 1);
        assertEquals(Long.MAX_VALUE, ByteBuffer.wrap(last, 16, 8).getLong());
        assertThrows(IllegalStateException.class, () -> sealer.seal((byte) 1, id, new byte[1], 0, 1));
        assertThrows(IllegalStateException.class, () -> sealer.seal((byte) 1, id, new byte[1], 0, 1));
    }

    @Test
    void openerHandlesManySaltsAndThreads() throws Exception {
        BlobOpener opener = new BlobOpener(key);
        List<BlobSealer> sealers = new ArrayList<>();
        for (int i = 0; i < BlobOpener.CACHE_SIZE * 2; i++) {
            sealers.add(new BlobSealer(key, random));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int seed = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        BlobSealer s = sealers.get((i * 7 + seed) % sealers.size());
                        byte[] plain = ByteBuffer.allocate(12).putInt(seed).putLong(i).array();
                        byte[] sealed = s.seal((byte) 9, id, plain, 0, plain.length);
                        if (!java.util.Arrays.equals(plain, opener.open((byte) 9, id, sealed, 0, sealed.length))) {
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

    @Test
    void chunkIdsAreKeyedAndDeterministic() {
        byte[] data = "some chunk".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ChunkIdHasher a = new ChunkIdHasher(key);
        ChunkIdHasher b = new ChunkIdHasher(MasterKey.decode(key.encoded()));
        ChunkIdHasher other = new ChunkIdHasher(MasterKey.generate(random));
        assertEquals(32, a.id(data).length);
        assertArrayEquals(a.id(data), b.id(data));
        assertArrayEquals(a.id(data, 5, 5), a.id("chunk".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertNotEquals(ByteBuffer.wrap(a.id(data)), ByteBuffer.wrap(other.id(data)));
    }
}
