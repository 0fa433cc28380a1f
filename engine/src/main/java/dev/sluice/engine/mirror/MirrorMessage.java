package dev.sluice.engine.mirror;

/** The frame types of the mirror protocol (docs/mirror.md); numbers 64 and up, the backup protocol uses 1 to 63. */
public enum MirrorMessage {
    /** sender → receiver: the target to write, the run's options. */
    OPEN(64),
    /** receiver → sender: the target is open; how many files may be in flight. */
    OPENED(65),
    /** sender → receiver: one entry of the scan, in path order. */
    ENTRY(66),
    /** receiver → sender: part of the chunk list (length and hash) of its copy of a file. */
    BASIS(67),
    /** sender → receiver: COPY and DATA operations that rebuild a file. */
    DELTA(68),
    /** sender → receiver: a file's length and SHA-256 (or that it could not be read). */
    FILE_END(69),
    /** receiver → sender: a file is committed, kept or dropped. */
    FILE_DONE(70),
    /** sender → receiver: every entry was sent. */
    END(71),
    /** receiver → sender: the run is complete; what it did. */
    DONE(72),
    /** either way: the run failed; code and message. */
    ERROR(73);

    private final int wire;

    MirrorMessage(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** The message of a frame type, or null for a type this protocol does not have. */
    public static MirrorMessage fromWire(int wire) {
        for (MirrorMessage m : values()) {
            if (m.wire == wire) {
                return m;
            }
        }
        return null;
    }
}
