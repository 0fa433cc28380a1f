package dev.sluice.engine.mirror;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * The digest a FILE_END carries and the receiver checks before it commits a file (protocol version 3): SHA-256 over
 * the file seen as a sequence of self-delimiting records, one for each basis chunk a COPY covers and one for each DATA
 * operation, in the file's order: {@code 'C'}, u32 chunk length, the chunk's {@link ChunkHash} (keyed for this run)
 * from the receiver's basis list; or {@code 'D'}, u32 operation length, the {@link ChunkHash}es of the operation's bytes
 * cut into {@link #PIECE}-byte pieces from its start (the last piece may be shorter; none for an empty operation).
 *
 * <p>The sender sends each chunk of a large file as one DATA operation of at most a piece, so the receiver hashes
 * those bytes once: the same hash is the digest's record and the chunk's entry in its basis cache. Literal bytes cost
 * the chunk hash's speed rather than SHA-256's. The digest follows the operations as they are on the wire, so the
 * sender feeds it from the operations it writes ({@link MirrorCodec.DeltaWriter}).
 *
 * <p>Both ends build the same sequence: the sender from the chunks it matched (COPY) and the operations it sends
 * (DATA), the receiver from its basis list and the operations it receives. So the receiver never reads a copied range
 * again to check it. The sender knows the run's key and chooses the content anyway: no safety property rests on the
 * digest; it guards an honest sender against a stale basis and bugs, and two different contents of equal length give
 * equal digests with a chance of at most about 2⁻⁶⁴ for each pair of pieces or chunks that are not chosen with the
 * key in hand (docs/mirror.md "Delta").
 */
final class ContentDigest {
    /** The length of the pieces a DATA operation is hashed in: the chunk hash's largest input, the largest chunk. */
    static final int PIECE = ChunkHash.MAX_INPUT;

    private final ChunkHash hash;
    private final MessageDigest outer = MirrorChunking.digest();
    private final ByteBuffer header = ByteBuffer.allocate(5);
    private final byte[] pieceHash = new byte[ChunkHash.BYTES];

    /** A digest whose DATA pieces are hashed with {@code hash}, the run's keyed chunk hash. */
    ContentDigest(ChunkHash hash) {
        this.hash = hash;
    }

    /** Adds a DATA operation of the bytes {@code b[off, off+len)}. */
    void data(byte[] b, int off, int len) {
        record('D', len);
        for (int at = 0; at < len; at += PIECE) {
            hash.hash(b, off + at, Math.min(PIECE, len - at), pieceHash, 0);
            outer.update(pieceHash);
        }
    }

    /**
     * Adds a DATA operation of the buffer's remaining bytes (its position is not moved); a buffer without an accessible
     * array is copied piece by piece into {@code scratch} (at least {@link #PIECE} bytes) to be hashed.
     */
    void data(ByteBuffer b, byte[] scratch) {
        int len = b.remaining();
        if (b.hasArray()) {
            data(b.array(), b.arrayOffset() + b.position(), len);
            return;
        }
        record('D', len);
        ByteBuffer in = b.duplicate();
        while (in.hasRemaining()) {
            int n = Math.min(PIECE, in.remaining());
            in.get(scratch, 0, n);
            hash.hash(scratch, 0, n, pieceHash, 0);
            outer.update(pieceHash);
        }
    }

    /**
     * Adds a DATA operation of {@code len} bytes, at most a {@link #PIECE}, whose {@link ChunkHash} the caller has
     * already computed, at {@code hashes[at..at+16)}.
     */
    void data(int len, byte[] hashes, int at) {
        if (len > PIECE) {
            throw new IllegalArgumentException("a DATA operation of " + len + " bytes has more than one piece");
        }
        record('D', len);
        if (len > 0) {
            outer.update(hashes, at, ChunkHash.BYTES);
        }
    }

    /** Adds a chunk copied from the basis: its length and its chunk hash at {@code hashes[at..at+16)}. */
    void chunk(byte[] hashes, int at, int length) {
        record('C', length);
        outer.update(hashes, at, ChunkHash.BYTES);
    }

    /** The digest of everything added; the object must not be used afterwards. */
    byte[] finish() {
        return outer.digest();
    }

    private void record(char kind, int length) {
        header.clear();
        header.put((byte) kind).putInt(length).flip();
        outer.update(header);
    }
}
