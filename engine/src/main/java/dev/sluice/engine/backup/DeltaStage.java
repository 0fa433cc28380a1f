package dev.sluice.engine.backup;

import dev.sluice.engine.buffer.ArrayPool;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.sink.BlobSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * Drops the content of chunks the sink already holds, from earlier snapshots or from
 * earlier in this run, so only new data is sealed and sent. Ids stay in the stream: the
 * tree still references every chunk.
 */
public final class DeltaStage implements Function<Flux<Piece>, Flux<Piece>> {
    private final BlobSink sink;
    private final BackupStats stats;
    private final ArrayPool pool;

    public DeltaStage(BlobSink sink, BackupStats stats, ArrayPool pool) {
        this.pool = pool;
        this.sink = sink;
        this.stats = stats;
    }

    @Override
    public Flux<Piece> apply(Flux<Piece> pieces) {
        return Flux.defer(() -> {
            Set<BlobId> seenThisRun = new HashSet<>();
            return pieces.map(p -> p instanceof Piece.Chunk c ? decide(c, seenThisRun) : p);
        });
    }

    private Piece decide(Piece.Chunk c, Set<BlobId> seenThisRun) {
        try {
            if (!seenThisRun.add(c.id()) || sink.has(c.id())) {
                stats.chunksKnown.incrementAndGet();
                pool.give(c.plain());
                return c.known();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stats.chunksNew.incrementAndGet();
        return c;
    }
}
