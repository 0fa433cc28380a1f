package dev.sluice.engine.backup;

import dev.sluice.engine.buffer.ArrayPool;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.sink.BlobSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * Hands sealed chunks to the sink from one thread of the I/O scheduler; a sink that
 * blocks (slow disk, slow peer) stops requests upstream, so the source reads no further
 * than the bounded buffers between the stages.
 */
public final class StoreStage implements Function<Flux<Piece>, Flux<Piece>> {
    private final BlobSink sink;
    private final Scheduler io;
    private final BackupStats stats;
    private final ArrayPool pool;

    public StoreStage(BlobSink sink, Scheduler io, BackupStats stats, ArrayPool pool) {
        this.pool = pool;
        this.sink = sink;
        this.io = io;
        this.stats = stats;
    }

    @Override
    public Flux<Piece> apply(Flux<Piece> pieces) {
        return pieces.publishOn(io, 2).map(p -> {
            if (p instanceof Piece.Chunk c && c.sealed() != null) {
                try {
                    sink.put(c.id(), BlobKind.DATA, c.sealed(), c.sealedLength());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                pool.give(c.sealed());
                stats.bytesAdded.addAndGet(c.sealedLength());
                stats.blobsAdded.incrementAndGet();
                return c.known();
            }
            return p;
        });
    }
}
