package dev.sluice.engine.mirror;

import dev.sluice.engine.mirror.dest.MirrorTarget;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The copies from the basis that a receiver makes beside its frame thread, one after another on one worker. The
 * kernel copying the unchanged ranges of a large file (hundreds of MiB) would otherwise hold up every file behind
 * it. A file whose content has arrived is handed in with {@link #whenCopied}; it comes back through
 * {@link #nextCopied} once every copy scheduled before has run, and {@link #wakeUps} tells the frame thread to look.
 * So the target is still used by the frame thread alone: a copy touches only its own file's channels.
 *
 * @param <T> what the receiver hands in and gets back (its file being received)
 */
final class CopiesBeside<T> implements AutoCloseable {
    private final Scheduler io;
    private final Sinks.Many<Boolean> wake = Sinks.many().unicast().onBackpressureBuffer();
    private final Queue<T> copied = new ConcurrentLinkedQueue<>();
    private Scheduler.Worker worker;
    private boolean ended;

    CopiesBeside(Scheduler io) {
        this.io = io;
    }

    /** One value (which means nothing) whenever {@link #nextCopied} has a file; completes at {@link #endWakeUps}. */
    Flux<Boolean> wakeUps() {
        return wake.asFlux();
    }

    /** Makes {@code copy} on the worker after those scheduled before; a failure goes to {@code failed} there. */
    void copy(MirrorTarget.FileWriter.Copy copy, Consumer<Exception> failed) {
        worker().schedule(() -> {
            try {
                copy.run();
            } catch (IOException | RuntimeException e) {
                failed.accept(e);
            }
        });
    }

    /** Hands {@code file} back through {@link #nextCopied}, with a wake-up, once the copies scheduled so far ran. */
    void whenCopied(T file) {
        worker().schedule(() -> {
            copied.add(file);
            synchronized (wake) {
                if (!ended) {
                    wake.tryEmitNext(Boolean.TRUE);
                }
            }
        });
    }

    /** A file whose copies have all run, or null. */
    T nextCopied() {
        return copied.poll();
    }

    /** Completes {@link #wakeUps} (the frames ended: nothing will handle a wake-up any more). */
    void endWakeUps() {
        synchronized (wake) {
            if (!ended) {
                ended = true;
                wake.tryEmitComplete();
            }
        }
    }

    private synchronized Scheduler.Worker worker() {
        if (worker == null) {
            worker = io.createWorker();
        }
        return worker;
    }

    /** Stops the copies (one being made is interrupted, which closes its channels) and the wake-ups. */
    @Override
    public void close() {
        synchronized (this) {
            if (worker != null) {
                worker.dispose();
            }
        }
        endWakeUps();
    }
}
