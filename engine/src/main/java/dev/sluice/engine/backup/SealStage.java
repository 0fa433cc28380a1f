package dev.sluice.engine.backup;

import dev.sluice.engine.buffer.ArrayPool;
import dev.sluice.engine.buffer.PooledBytes;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.repository.BlobKind;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Compresses and seals new chunks on the CPU scheduler, {@code concurrency} at a time,
 * keeping stream order. Known chunks and file ends pass through untouched.
 */
public final class SealStage implements Function<Flux<Piece>, Flux<Piece>> {
    private final BlobCodec codec;
    private final Scheduler cpu;
    private final int concurrency;
    private final ArrayPool pool;

    public SealStage(BlobCodec codec, Scheduler cpu, int concurrency, ArrayPool pool) {
        this.pool = pool;
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        this.codec = codec;
        this.cpu = cpu;
        this.concurrency = concurrency;
    }

    @Override
    public Flux<Piece> apply(Flux<Piece> pieces) {
        return pieces.flatMapSequential(p -> {
            if (p instanceof Piece.Chunk c && c.plain() != null) {
                return Mono.fromCallable(() -> {
                    PooledBytes sealed = codec.sealPooled(c.id(), BlobKind.DATA, c.plain(), c.length(), pool);
                    pool.give(c.plain());
                    return (Piece) c.withSealed(sealed.array(), sealed.length());
                }).subscribeOn(cpu);
            }
            return Mono.just(p);
        }, concurrency, 1);
    }
}
