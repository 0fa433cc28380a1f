package dev.sluice.engine.mirror;

import dev.sluice.engine.mirror.dest.MirrorTarget;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import reactor.core.scheduler.Scheduler;

/**
 * The copies from the basis that a receiver makes beside its frame thread, one after another on one worker. The
 * kernel copying the unchanged ranges of a large file (hundreds of MiB) would otherwise hold up every file behind
 * it. A file whose content has arrived is handed in with {@link #whenCopied}; it comes back through
 * {@link #nextCopied} once every copy scheduled before has run, and a wake-up tells the frame thread to look. So the
 * target is still used by the frame thread alone: a copy touches only its own file's channels.
 *
 * @param <T> what the receiver hands in and gets back (its file being received)
 */
final class CopiesBeside<T> implements AutoCloseable {
    private final Scheduler io;
    private final Runnable wake;
    private final Queue<T> copied = new ConcurrentLinkedQueue<>();
    private Scheduler.Worker worker;

    /** @param wake tells the frame thread that {@link #nextCopied} has a file (called on the worker) */
    CopiesBeside(Scheduler io, Runnable wake) {
        this.io = io;
        this.wake = wake;
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
            wake.run();
        });
    }

    /** A file whose copies have all run, or null. */
    T nextCopied() {
        return copied.poll();
    }

    private synchronized Scheduler.Worker worker() {
        if (worker == null) {
            worker = io.createWorker();
        }
        return worker;
    }

    /** Stops the copies (one being made is interrupted, which closes its channels). */
    @Override
    public synchronized void close() {
        if (worker != null) {
            worker.dispose();
        }
    }
}
