package dev.sluice.engine.mirror;

import dev.sluice.engine.chunk.Chunker;
import dev.sluice.engine.chunk.ChunkerParams;
import dev.sluice.engine.chunk.GearTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The content-defined chunking both ends of a mirror run use: a fixed, key-less gear table (mirror jobs do not
 * encrypt; the link's TLS or ssh protects the data) and 4 KiB / 16 KiB / 64 KiB bounds, so an insert costs
 * about one 16 KiB chunk and a basis list is 20 bytes per 16 KiB (0.12 %).
 */
public final class MirrorChunking {
    /** Chunk bounds of protocol version 1; both ends must cut at the same places. */
    public static final ChunkerParams PARAMS = new ChunkerParams(4 * 1024, 16 * 1024, 64 * 1024);

    /** Bytes each end reads ahead of the chunk it cuts ({@link dev.sluice.engine.chunk.ChunkWindow}). */
    static final int READ_AHEAD = 1 << 20;
    /**
     * A regular file at least this large is sent chunk by chunk even without a basis (one DATA operation per chunk,
     * never split across DELTA messages), so the receiver knows the chunk list of what it committed.
     */
    public static final long CHUNKED_MIN = 1 << 20;

    private static final Chunker CHUNKER = new Chunker(PARAMS, GearTable.fromSeed(sha256(
            "sluice mirror gear table v1".getBytes(StandardCharsets.US_ASCII))));

    private MirrorChunking() {
    }

    /** The shared chunker (immutable, thread-safe). */
    public static Chunker chunker() {
        return CHUNKER;
    }

    /** A new SHA-256 digest. */
    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }

    private static byte[] sha256(byte[] b) {
        return digest().digest(b);
    }
}
