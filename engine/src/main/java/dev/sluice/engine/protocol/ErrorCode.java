package dev.sluice.engine.protocol;

/** Why a sink refused a request; each has a stable number on the wire and says whether the session ends. */
public enum ErrorCode {
    /** A frame type this side does not serve (there is no delete or overwrite message). */
    UNKNOWN_MESSAGE(1, true),
    /** A payload that does not parse (wrong length, bad field). */
    MALFORMED(2, true),
    /** The peer's identity is not configured for the job it asked for. */
    JOB_NOT_ALLOWED(3, true),
    /** A request before OPEN, or a second OPEN. */
    NOT_OPEN(4, true),
    /** The request would add something the source may not add (another job, a foreign parent, missing blobs). */
    REFUSED(5, true),
    /** The snapshot rate limit of the sink is reached. */
    RATE_LIMITED(6, true),
    /** The asked blob is not part of an own snapshot; the session goes on. */
    NOT_FOUND(7, false),
    /** The sink's storage failed (a mirror sender also says this when it fails on its own side). */
    STORAGE(8, true),
    /** The peer's job was cancelled ({@code sluice cancel}, a daemon shutdown); the message says which. */
    CANCELLED(9, true);

    private final int wire;
    private final boolean fatal;

    ErrorCode(int wire, boolean fatal) {
        this.wire = wire;
        this.fatal = fatal;
    }

    public int wire() {
        return wire;
    }

    /** True if the sink closes the link after sending this error. */
    public boolean fatal() {
        return fatal;
    }

    /** The code for a number; unknown numbers read as MALFORMED. */
    public static ErrorCode fromWire(int wire) {
        for (ErrorCode c : values()) {
            if (c.wire == wire) {
                return c;
            }
        }
        return MALFORMED;
    }
}
