package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContentDigestTest {

    private static final ChunkHash HASH = new ChunkHash("0123456789abcdef".getBytes());
    private static final int PIECE = ContentDigest.PIECE;

    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** The definition in ContentDigest's javadoc for one literal run, written out with plain SHA-256 calls. */
    private static byte[] referenceOfOneRun(byte[] run) throws Exception {
        MessageDigest outer = MessageDigest.getInstance("SHA-256");
        outer.update(ByteBuffer.allocate(9).put((byte) 'L').putLong(run.length).array());
        outer.update(referenceOfOneRunPieces(run));
        return outer.digest();
    }

    @Test
    void aLiteralRunEqualsTheDefinitionHoweverItIsFed() throws Exception {
        Random r = new Random(11);
        for (int len : new int[] {1, 15, PIECE - 1, PIECE, PIECE + 1, 3 * PIECE, 3 * PIECE + 4097, 1 << 20}) {
            byte[] run = random(r, len);
            byte[] expected = referenceOfOneRun(run);

            ContentDigest whole = new ContentDigest(HASH);
            whole.literal(run, 0, run.length);
            assertArrayEquals(expected, whole.finish(), "in one call, length " + len);

            ContentDigest parts = new ContentDigest(HASH);
            ContentDigest direct = new ContentDigest(HASH);
            ContentDigest offsetHeap = new ContentDigest(HASH);
            for (int at = 0; at < len; ) {
                int n = Math.min(len - at, 1 + r.nextInt(3 * PIECE / 2));
                parts.literal(run, at, n);
                ByteBuffer d = ByteBuffer.allocateDirect(n + 3).position(3);
                d.put(run, at, n).position(3);
                direct.literal(d);
                assertEquals(3, d.position(), "the buffer's position is not moved");
                byte[] padded = new byte[n + 10];
                System.arraycopy(run, at, padded, 5, n);
                offsetHeap.literal(ByteBuffer.wrap(padded, 2, n + 8).slice().position(3).limit(3 + n));
                at += n;
            }
            assertArrayEquals(expected, parts.finish(), "in random parts, length " + len);
            assertArrayEquals(expected, direct.finish(), "from direct buffers, length " + len);
            assertArrayEquals(expected, offsetHeap.finish(), "from sliced heap buffers, length " + len);
        }
    }

    @Test
    void everyFlippedBitAndEveryMovedRunBoundaryChangesTheDigest() {
        Random r = new Random(12);
        byte[] run = random(r, 2 * PIECE + 333);
        byte[] chunk = random(r, ChunkHash.BYTES);
        byte[] base = digest(run, 0, chunk);
        for (int t = 0; t < 64; t++) {
            byte[] changed = run.clone();
            int at = t < 3 ? new int[] {0, PIECE, run.length - 1}[t] : r.nextInt(run.length);
            changed[at] ^= (byte) (1 << r.nextInt(8));
            assertFalse(Arrays.equals(base, digest(changed, 0, chunk)), "bit flipped at " + at);
        }
        // the same bytes with the copied chunk in another place, or a different chunk, are another file
        assertFalse(Arrays.equals(base, digest(run, PIECE, chunk)));
        byte[] otherChunk = chunk.clone();
        otherChunk[0] ^= 1;
        assertFalse(Arrays.equals(base, digest(run, 0, otherChunk)));
    }

    /** {@code run[0, split)}, a copied chunk of 4096 bytes, then {@code run[split, end)}. */
    private static byte[] digest(byte[] run, int split, byte[] chunkHash) {
        ContentDigest d = new ContentDigest(HASH);
        d.literal(run, 0, split);
        d.chunk(chunkHash, 0, 4096);
        d.literal(run, split, run.length - split);
        return d.finish();
    }

    @Test
    void piecesAreCountedFromEachRunsStart() throws Exception {
        // L(a) C L(b): run b's pieces start at b, not at a multiple of PIECE in the file
        Random r = new Random(13);
        byte[] a = random(r, PIECE / 2);
        byte[] b = random(r, PIECE + 7);
        byte[] chunk = random(r, ChunkHash.BYTES);
        ContentDigest d = new ContentDigest(HASH);
        d.literal(a, 0, a.length);
        d.chunk(chunk, 0, 100);
        d.literal(b, 0, b.length);

        MessageDigest outer = MessageDigest.getInstance("SHA-256");
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        records.write(ByteBuffer.allocate(9).put((byte) 'L').putLong(a.length).array());
        records.write(referenceOfOneRunPieces(a));
        records.write(ByteBuffer.allocate(5).put((byte) 'C').putInt(100).array());
        records.write(chunk);
        records.write(ByteBuffer.allocate(9).put((byte) 'L').putLong(b.length).array());
        records.write(referenceOfOneRunPieces(b));
        assertArrayEquals(outer.digest(records.toByteArray()), d.finish());
    }

    private static byte[] referenceOfOneRunPieces(byte[] run) throws Exception {
        MessageDigest pieces = MessageDigest.getInstance("SHA-256");
        byte[] h = new byte[ChunkHash.BYTES];
        for (int at = 0; at < run.length; at += PIECE) {
            HASH.hash(run, at, Math.min(PIECE, run.length - at), h, 0);
            pieces.update(h);
        }
        return pieces.digest();
    }
}
