package dev.sluice.engine.job;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A request to stop one job run, made from another thread (the daemon's control socket or shutdown): the run
 * checks it between steps and forwards it to the running pipeline.
 */
public final class Cancellation {
    private static final Runnable NOTHING = () -> {};

    private volatile boolean cancelled;
    private final AtomicReference<Runnable> action = new AtomicReference<>(NOTHING);

    /** Stops the run: the action registered now, or later, runs once. */
    public void cancel() {
        cancelled = true;
        action.getAndSet(NOTHING).run();
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** What cancelling does while the current step runs; runs at once if the run is already cancelled. */
    void onCancel(Runnable stop) {
        action.set(stop);
        if (cancelled) {
            action.getAndSet(NOTHING).run();
        }
    }
}
