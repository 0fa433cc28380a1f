package dev.sluice.engine.content;

import dev.sluice.engine.buffer.ArrayPool;
import dev.sluice.engine.buffer.PooledBytes;
import dev.sluice.engine.compress.BlobCompressor;
import dev.sluice.engine.compress.DecompressionException;
import dev.sluice.engine.crypto.BlobAuthenticationException;
import dev.sluice.engine.crypto.BlobOpener;
import dev.sluice.engine.crypto.BlobSealer;
import dev.sluice.engine.crypto.ChunkIdHasher;
import dev.sluice.engine.crypto.GcmWarmup;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import java.security.MessageDigest;

/**
 * The source side's view of a blob: its keyed id, and the way from plaintext to the
 * sealed bytes a sink stores (compress, then seal) and back (open, decompress, verify
 * the id). Thread-safe; per-thread hashers are kept internally. Close it when every
 * thread is done with it: the compressor holds native zstd contexts.
 */
public final class BlobCodec implements AutoCloseable {
    private final MasterKey key;
    private final BlobCompressor compressor;
    private final BlobSealer sealer;
    private final BlobOpener opener;
    private final ThreadLocal<ChunkIdHasher> hashers;

    public BlobCodec(MasterKey key, BlobCompressor compressor) {
        this.key = key;
        this.compressor = compressor;
        this.sealer = new BlobSealer(key, new java.security.SecureRandom());
        this.opener = new BlobOpener(key);
        this.hashers = ThreadLocal.withInitial(() -> new ChunkIdHasher(key));
    }

    /** Starts the AES-GCM warm-up ({@link GcmWarmup}) on the given CPU scheduler; returns at once. */
    public static void warmUp(reactor.core.scheduler.Scheduler cpu) {
        cpu.schedule(() -> GcmWarmup.run(WARMUP_ROUNDS));
    }

    static final int WARMUP_ROUNDS = 6000;

    public MasterKey key() {
        return key;
    }

    public BlobId id(byte[] plain, int off, int len) {
        return BlobId.of(hashers.get().id(plain, off, len));
    }

    public byte[] seal(BlobId id, BlobKind kind, byte[] plain) {
        byte[] body = compressor.compress(plain, 0, plain.length);
        return sealer.seal(kind.code(), id.bytes(), body, 0, body.length);
    }

    /**
     * Compresses and seals the first {@code len} bytes of {@code plain} into an array from
     * {@code pool}, with no intermediate copy; the caller owns the result.
     */
    public PooledBytes sealPooled(BlobId id, BlobKind kind, byte[] plain, int len, ArrayPool pool) {
        byte[] idBytes = id.bytes();
        return compressor.compressThen(plain, 0, len, (framed, flen) -> {
            byte[] out = pool.take(flen + BlobSealer.OVERHEAD);
            return new PooledBytes(out, sealer.sealInto(kind.code(), idBytes, framed, 0, flen, out));
        });
    }

    /** Seals a snapshot payload, bound to the snapshot's reference list. */
    public byte[] sealPayload(BlobId refs, byte[] plain) {
        return sealer.seal(SnapshotPayload.SEAL_KIND, refs.bytes(), plain, 0, plain.length);
    }

    /** Opens a snapshot payload sealed by {@link #sealPayload}. */
    public byte[] openPayload(BlobId refs, byte[] sealed) throws BlobDamagedException {
        try {
            return opener.open(SnapshotPayload.SEAL_KIND, refs.bytes(), sealed, 0, sealed.length);
        } catch (BlobAuthenticationException e) {
            throw new BlobDamagedException(refs, "snapshot payload does not authenticate (" + e.getMessage() + ")");
        }
    }

    /**
     * Opens a sealed blob and checks that its plaintext hashes to its id.
     *
     * @throws BlobDamagedException when authentication, decompression or the id check fails
     */
    public byte[] open(BlobId id, BlobKind kind, byte[] sealed, int maxPlain) throws BlobDamagedException {
        byte[] body;
        try {
            body = opener.open(kind.code(), id.bytes(), sealed, 0, sealed.length);
        } catch (BlobAuthenticationException e) {
            throw new BlobDamagedException(id, "does not authenticate (" + e.getMessage() + ")");
        }
        byte[] plain;
        try {
            plain = compressor.decompress(body, 0, body.length, maxPlain);
        } catch (DecompressionException | RuntimeException e) {
            throw new BlobDamagedException(id, "does not decompress (" + e.getMessage() + ")");
        }
        if (!MessageDigest.isEqual(hashers.get().id(plain, 0, plain.length), id.bytes())) {
            throw new BlobDamagedException(id, "content does not match its id");
        }
        return plain;
    }

    @Override
    public void close() {
        compressor.close();
    }
}
