package dev.sluice.engine.mirror;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * The digest a FILE_END carries and the receiver checks before it commits a file: SHA-256 over the file seen as a
 * sequence of literal runs and basis chunks, each a self-delimiting record: {@code 'L'}, u64 run length, SHA-256 of
 * the run's bytes; or {@code 'C'}, u32 chunk length, the chunk's {@link ChunkHash} (keyed for this run) from the
 * receiver's basis list.
 *
 * <p>Both ends build the same sequence: the sender from the chunks it matched (COPY) and the bytes it sends (DATA),
 * the receiver from its basis list and the bytes it receives. So the receiver never reads a copied range again to
 * check it; equal digests mean equal content as long as SHA-256 resists collisions, no two different chunks of equal
 * length have equal keyed chunk hashes (at most 2⁻⁶⁴ for each pair, over the run's random key), and the basis did not
 * change after the receiver hashed it (checked with fstat: size, mtime and ctime).
 */
final class ContentDigest {
    private final MessageDigest outer = MirrorChunking.digest();
    private final MessageDigest literal = MirrorChunking.digest();
    private final ByteBuffer header = ByteBuffer.allocate(9);
    private long literalLength;

    /** Adds bytes of a literal run. */
    void literal(byte[] b, int off, int len) {
        literal.update(b, off, len);
        literalLength += len;
    }

    /** Adds bytes of a literal run (the buffer's position is not moved). */
    void literal(ByteBuffer b) {
        literalLength += b.remaining();
        literal.update(b.duplicate());
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

    private void endRun() {
        if (literalLength == 0) {
            return;
        }
        header.clear();
        header.put((byte) 'L').putLong(literalLength).flip();
        outer.update(header);
        outer.update(literal.digest());
        literalLength = 0;
    }
}
