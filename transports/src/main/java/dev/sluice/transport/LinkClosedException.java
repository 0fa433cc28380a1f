package dev.sluice.transport;

/** Signals that a {@link Link} ended abnormally, or that it was used after it ended. */
public final class LinkClosedException extends RuntimeException {

    private final CloseReason reason;

    public LinkClosedException(CloseReason reason) {
        super(reason.toString());
        this.reason = reason;
    }

    public LinkClosedException(CloseReason reason, Throwable cause) {
        super(reason.toString(), cause);
        this.reason = reason;
    }

    /** Why the link ended. */
    public CloseReason reason() {
        return reason;
    }
}
