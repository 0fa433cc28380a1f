package dev.sluice.engine.job;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A request to stop one job run, made from another thread (the daemon's control socket or shutdown): the run
 * checks it between steps and forwards it to the running pipeline.
 */
public final class Cancellation {
    private static final Runnable NOTHING = () -> {};

    private volatile boolean cancelled;
    private final AtomicReference<String> reason = new AtomicReference<>();
    private final AtomicReference<Runnable> action = new AtomicReference<>(NOTHING);

    /** Stops the run without saying why ("cancelled"). */
    public void cancel() {
        cancel("cancelled");
    }

    /**
     * Stops the run: the action registered now, or later, runs once. {@code why} says who asked ("sluice cancel",
     * "daemon shutdown: …"); the first reason given is the one kept.
     */
    public void cancel(String why) {
        reason.compareAndSet(null, why);
        cancelled = true;
        action.getAndSet(NOTHING).run();
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** {@code " (cancelled: WHY)"} once cancelled, else empty: for the message of a run that ended early. */
    public String note() {
        return cancelled ? " (cancelled: " + reason() + ")" : "";
    }

    /** Why the run was cancelled, or null while it is not. */
    public String reason() {
        return reason.get();
    }

    /** What cancelling does while the current step runs; runs at once if the run is already cancelled. */
    void onCancel(Runnable stop) {
        action.set(stop);
        if (cancelled) {
            action.getAndSet(NOTHING).run();
        }
    }
}
