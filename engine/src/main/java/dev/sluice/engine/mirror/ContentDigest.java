package dev.sluice.engine.mirror;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * The digest a FILE_END carries and the receiver checks before it commits a file: SHA-256 over the file seen as a
 * sequence of literal runs and basis chunks, each a self-delimiting record: {@code 'L'}, u64 run length, the run's
 * piece-hash list digest; or {@code 'C'}, u32 chunk length, the chunk's {@link ChunkHash} (keyed for this run) from the
 * receiver's basis list. A run's piece-hash list digest is SHA-256 over the {@link ChunkHash}es of the run cut into
 * {@link #PIECE}-byte pieces from its start (the last piece may be shorter), so literal bytes cost the chunk hash's
 * speed rather than SHA-256's, and the result does not depend on how the bytes were framed.
 *
 * <p>Both ends build the same sequence: the sender from the chunks it matched (COPY) and the bytes it sends (DATA),
 * the receiver from its basis list and the bytes it receives. So the receiver never reads a copied range again to
 * check it. The sender knows the run's key and chooses the content anyway: no safety property rests on the digest; it
 * guards an honest sender against a stale basis and bugs, and two different contents of equal length give equal
 * digests with a chance of at most about 2⁻⁶⁴ for each pair of pieces or chunks that are not chosen with the key
 * in hand (docs/mirror.md "Delta").
 */
final class ContentDigest {
    /** The length of the pieces a literal run is hashed in. */
    static final int PIECE = ChunkHash.MAX_INPUT;

    private final ChunkHash hash;
    private final MessageDigest outer = MirrorChunking.digest();
    private final MessageDigest literal = MirrorChunking.digest();
    private final ByteBuffer header = ByteBuffer.allocate(9);
    private final byte[] pieceHash = new byte[ChunkHash.BYTES];
    /** The run's current partial piece (allocated when a piece arrives in parts). */
    private byte[] partial;
    private int partialLength;
    private long literalLength;

    /** A digest whose literal pieces are hashed with {@code hash}, the run's keyed chunk hash. */
    ContentDigest(ChunkHash hash) {
        this.hash = hash;
    }

    /** Adds bytes of a literal run. */
    void literal(byte[] b, int off, int len) {
        literalLength += len;
        append(ByteBuffer.wrap(b, off, len));
    }

    /** Adds bytes of a literal run (the buffer's position is not moved). */
    void literal(ByteBuffer b) {
        literalLength += b.remaining();
        append(b.duplicate());
    }

    /** Cuts {@code in} into pieces: whole pieces of an array are hashed in place, the rest is gathered. */
    private void append(ByteBuffer in) {
        while (in.hasRemaining()) {
            if (partialLength == 0 && in.hasArray() && in.remaining() >= PIECE) {
                piece(in.array(), in.arrayOffset() + in.position(), PIECE);
                in.position(in.position() + PIECE);
                continue;
            }
            int n = Math.min(in.remaining(), PIECE - partialLength);
            in.get(partialBuffer(), partialLength, n);
            partialLength += n;
            if (partialLength == PIECE) {
                piece(partial, 0, PIECE);
                partialLength = 0;
            }
        }
    }

    /** Adds a chunk copied from the basis: its length and its chunk hash at {@code hashes[at..at+16)}. */
    void chunk(byte[] hashes, int at, int length) {
        endRun();
        header.clear();
        header.put((byte) 'C').putInt(length).flip();
        outer.update(header);
        outer.update(hashes, at, MirrorCodec.HASH);
    }

    /** The digest of everything added; the object must not be used afterwards. */
    byte[] finish() {
        endRun();
        return outer.digest();
    }

    private byte[] partialBuffer() {
        if (partial == null) {
            partial = new byte[PIECE];
        }
        return partial;
    }

    private void piece(byte[] b, int off, int len) {
        hash.hash(b, off, len, pieceHash, 0);
        literal.update(pieceHash);
    }

    private void endRun() {
        if (literalLength == 0) {
            return;
        }
        if (partialLength > 0) {
            piece(partial, 0, partialLength);
            partialLength = 0;
        }
        header.clear();
        header.put((byte) 'L').putLong(literalLength).flip();
        outer.update(header);
        outer.update(literal.digest());
        literalLength = 0;
    }
}
