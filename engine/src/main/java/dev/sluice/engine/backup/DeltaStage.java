package dev.sluice.engine.backup;

import dev.sluice.engine.buffer.ArrayPool;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.sink.BlobSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * Drops the content of chunks the sink already holds, from earlier snapshots or from
 * earlier in this run, so only new data is sealed and sent. Ids stay in the stream: the
 * tree still references every chunk. The sink is asked in batches (one {@link BlobSink#has(List)} per
 * batch), so a remote sink costs one round trip per batch, not per chunk; order is kept.
 */
public final class DeltaStage implements Function<Flux<Piece>, Flux<Piece>> {
    /** Pieces per batch, at most (a HAS message carries up to 4096 ids). */
    static final int BATCH_PIECES = 4096;
    /** Plain chunk bytes held in one batch, at most: a batch waits for its pieces, so this bounds memory. */
    static final long BATCH_BYTES = 8L << 20;

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
            long[] batch = new long[2]; // pieces, bytes of the batch being filled
            return pieces.bufferUntil(p -> {
                        batch[0]++;
                        if (p instanceof Piece.Chunk c) {
                            batch[1] += c.length();
                        }
                        if (batch[0] >= BATCH_PIECES || batch[1] >= BATCH_BYTES) {
                            batch[0] = 0;
                            batch[1] = 0;
                            return true;
                        }
                        return false;
                    })
                    // prefetch 1: at most one batch waits here while the next one fills
                    .concatMapIterable(b -> decide(b, seenThisRun), 1);
        });
    }

    private List<Piece> decide(List<Piece> batch, Set<BlobId> seenThisRun) {
        List<BlobId> ask = new ArrayList<>();
        List<Integer> asked = new ArrayList<>();
        List<Piece> out = new ArrayList<>(batch);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof Piece.Chunk c) {
                if (seenThisRun.add(c.id())) {
                    ask.add(c.id());
                    asked.add(i);
                } else {
                    out.set(i, known(c));
                }
            }
        }
        if (ask.isEmpty()) {
            return out;
        }
        boolean[] stored;
        try {
            stored = sink.has(ask);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int k = 0; k < stored.length; k++) {
            int i = asked.get(k);
            if (stored[k]) {
                out.set(i, known((Piece.Chunk) out.get(i)));
            } else {
                stats.chunksNew.incrementAndGet();
            }
        }
        return out;
    }

    private Piece known(Piece.Chunk c) {
        stats.chunksKnown.incrementAndGet();
        pool.give(c.plain());
        return c.known();
    }
}
