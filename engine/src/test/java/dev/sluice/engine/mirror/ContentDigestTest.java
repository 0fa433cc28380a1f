package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /** The record of one DATA operation as ContentDigest's javadoc defines it: 'D', u32 length, the pieces' hashes. */
    private static byte[] dataRecord(byte[] op) {
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes(ByteBuffer.allocate(5).put((byte) 'D').putInt(op.length).array());
        byte[] h = new byte[ChunkHash.BYTES];
        for (int at = 0; at < op.length; at += PIECE) {
            HASH.hash(op, at, Math.min(PIECE, op.length - at), h, 0);
            record.writeBytes(h);
        }
        return record.toByteArray();
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    @Test
    void aDataOperationEqualsTheDefinitionHoweverItIsFed() throws Exception {
        Random r = new Random(11);
        for (int len : new int[] {0, 1, 15, PIECE - 1, PIECE, PIECE + 1, 3 * PIECE, 3 * PIECE + 4097, 1 << 20}) {
            byte[] op = random(r, len);
            byte[] expected = sha256(dataRecord(op));

            ContentDigest array = new ContentDigest(HASH);
            byte[] padded = new byte[len + 10];
            System.arraycopy(op, 0, padded, 7, len);
            array.data(padded, 7, len);
            assertArrayEquals(expected, array.finish(), "from an array at an offset, length " + len);

            ContentDigest direct = new ContentDigest(HASH);
            ByteBuffer d = ByteBuffer.allocateDirect(len + 3).position(3);
            d.put(op).position(3);
            direct.data(d.asReadOnlyBuffer(), new byte[PIECE]);
            assertEquals(3, d.position(), "the buffer's position is not moved");
            assertArrayEquals(expected, direct.finish(), "from a read-only direct buffer, length " + len);

            ContentDigest sliced = new ContentDigest(HASH);
            sliced.data(ByteBuffer.wrap(padded, 2, len + 8).slice().position(5).limit(5 + len), new byte[PIECE]);
            assertArrayEquals(expected, sliced.finish(), "from a sliced heap buffer, length " + len);

            if (len <= PIECE) {
                ContentDigest hashed = new ContentDigest(HASH);
                byte[] h = new byte[ChunkHash.BYTES + 2];
                HASH.hash(op, 0, len, h, 2);
                hashed.data(len, h, 2);
                assertArrayEquals(expected, hashed.finish(), "from its hash, length " + len);
            }
        }
    }

    @Test
    void recordsFollowTheFilesOrderOfOperationsAndChunks() throws Exception {
        // D(a) C D(b) D(c): each operation is its own record, cut into pieces from its own start
        Random r = new Random(13);
        byte[] a = random(r, PIECE / 2);
        byte[] b = random(r, PIECE + 7);
        byte[] c = random(r, 100);
        byte[] chunk = random(r, ChunkHash.BYTES);
        ContentDigest d = new ContentDigest(HASH);
        d.data(a, 0, a.length);
        d.chunk(chunk, 0, 100);
        d.data(b, 0, b.length);
        d.data(c, 0, c.length);

        ByteArrayOutputStream records = new ByteArrayOutputStream();
        records.write(dataRecord(a));
        records.write(ByteBuffer.allocate(5).put((byte) 'C').putInt(100).array());
        records.write(chunk);
        records.write(dataRecord(b));
        records.write(dataRecord(c));
        assertArrayEquals(sha256(records.toByteArray()), d.finish());
    }

    @Test
    void everyFlippedBitMovedChunkAndOtherFramingChangesTheDigest() {
        Random r = new Random(12);
        byte[] data = random(r, 2 * PIECE + 333);
        byte[] chunk = random(r, ChunkHash.BYTES);
        byte[] base = digest(data, 0, chunk);
        for (int t = 0; t < 64; t++) {
            byte[] changed = data.clone();
            int at = t < 3 ? new int[] {0, PIECE, data.length - 1}[t] : r.nextInt(data.length);
            changed[at] ^= (byte) (1 << r.nextInt(8));
            assertFalse(Arrays.equals(base, digest(changed, 0, chunk)), "bit flipped at " + at);
        }
        // the same bytes with the copied chunk in another place, or a different chunk, are another file
        assertFalse(Arrays.equals(base, digest(data, PIECE, chunk)));
        byte[] otherChunk = chunk.clone();
        otherChunk[0] ^= 1;
        assertFalse(Arrays.equals(base, digest(data, 0, otherChunk)));
        // the same bytes in two operations are another sequence of records
        ContentDigest split = new ContentDigest(HASH);
        split.chunk(chunk, 0, 4096);
        split.data(data, 0, 1000);
        split.data(data, 1000, data.length - 1000);
        assertFalse(Arrays.equals(base, split.finish()));
    }

    /** {@code data[0, split)} as one DATA, a copied chunk of 4096 bytes, then {@code data[split, end)} as one DATA. */
    private static byte[] digest(byte[] data, int split, byte[] chunkHash) {
        ContentDigest d = new ContentDigest(HASH);
        if (split > 0) {
            d.data(data, 0, split);
        }
        d.chunk(chunkHash, 0, 4096);
        d.data(data, split, data.length - split);
        return d.finish();
    }

    /**
     * The sender's digest comes from the operations its DeltaWriter writes, the receiver's from the operations it
     * decodes: they agree however the writer splits DATA across payloads, with and without hashes the sender had
     * computed already, and a chunk that fits stays one operation.
     */
    @Test
    void theSendersDigestIsTheReceiversForEveryFraming() throws Exception {
        Random r = new Random(14);
        for (int capacity : new int[] {64, 5000, 70_000, 1 << 20}) {
            ContentDigest sender = new ContentDigest(HASH);
            MirrorCodec.DeltaWriter w = new MirrorCodec.DeltaWriter(9, capacity, sender);
            List<byte[]> payloads = new ArrayList<>();
            byte[] h = new byte[ChunkHash.BYTES];
            byte[] basisChunk = random(r, ChunkHash.BYTES);
            for (int i = 0; i < 40; i++) {
                byte[] op = random(r, 1 + r.nextInt(i % 5 == 0 ? 3 * PIECE : PIECE));
                switch (i % 3) {
                    case 0 -> w.data(op, 0, op.length, payloads);
                    case 1 -> {
                        HASH.hash(op, 0, Math.min(op.length, PIECE), h, 0);
                        w.data(op, 0, op.length, op.length <= PIECE ? h : null, payloads);
                    }
                    default -> {
                        sender.chunk(basisChunk, 0, 4096);
                        w.copy(4096L * i, 4096, payloads);
                    }
                }
            }
            w.finish(payloads);

            ContentDigest receiver = new ContentDigest(HASH);
            byte[] scratch = new byte[PIECE];
            int[] ops = new int[2];
            for (byte[] payload : payloads) {
                MirrorCodec.decodeDelta(ByteBuffer.wrap(payload).asReadOnlyBuffer(), id -> new MirrorCodec.DeltaSink() {
                    @Override
                    public void copy(long basisOffset, long length) {
                        for (long at = 0; at < length; at += 4096) {
                            receiver.chunk(basisChunk, 0, 4096);
                        }
                        ops[0]++;
                    }

                    @Override
                    public void data(ByteBuffer bytes) throws IOException {
                        receiver.data(bytes, scratch);
                        ops[1]++;
                    }
                });
            }
            assertArrayEquals(sender.finish(), receiver.finish(), "payloads of at most " + capacity + " bytes");
            if (capacity >= 70_000) {
                assertTrue(ops[1] >= 27, "DATA operations: " + ops[1]);
            }
        }
    }
}
