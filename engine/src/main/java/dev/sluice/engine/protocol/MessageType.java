package dev.sluice.engine.protocol;

/**
 * The frame types of the backup protocol (docs/protocol.md): requests a source sends and the
 * answers a sink gives. Every payload starts with a 4-byte request id. 1–15 push, 16–31 pull, 32–35 reads,
 * 36–47 push additions (reference list deltas), 64 and up mirror.
 */
public enum MessageType {
    /** source → sink: bind the session to a job. */
    OPEN(1),
    /** sink → source: the job is allowed. */
    OPENED(2),
    /** source → sink: which of these blob ids do you store? */
    HAS(3),
    /** sink → source: a bitmap, one bit per asked id. */
    HAS_RESULT(4),
    /** source → sink: store one sealed blob. */
    PUT(5),
    /** sink → source: the blob is stored (or was already). */
    PUT_DONE(6),
    /** source → sink: part of a sorted reference list; the last part has the last flag. */
    PUT_REFS(7),
    /** sink → source: the reference list is stored under this id. */
    REFS_STORED(8),
    /** source → sink: a snapshot record to add. */
    COMMIT(9),
    /** sink → source: the id of the snapshot as stored. */
    COMMITTED(10),
    /** source → sink: the snapshots of this session's job and this peer. */
    LIST_SNAPSHOTS(11),
    /** sink → source: part of the listing; the last part has the last flag. */
    SNAPSHOTS(12),
    /** source → sink: one tree blob of an own snapshot (for the parent comparison). */
    GET_BLOB(13),
    /** sink → source: the sealed blob. */
    BLOB(14),
    /** either way: a request failed; code and message. */
    ERROR(15),
    /** sink → source, first frame of a link the sink opened or was handed: run this job and push it here. */
    PULL(16),
    /** source → sink, first frame of a link the source dialed: park me until one of your pull jobs wants me. */
    READY(17),
    /** sink → source, only on a parked reverse-pull link: are you still there? */
    PING(18),
    /** source → sink: the answer to PING, only while the link is parked. */
    PONG(19),
    /** source → sink, last frame of a pulled session: the source's final status and its error text. */
    OUTCOME(20),
    /** key holder → sink: open a read session for a job (restore, check); answered by OPENED. */
    OPEN_READ(32),
    /** source → sink (push or read session): the repository's key check; answered by KEY_CHECK or NOT_FOUND. */
    GET_KEY_CHECK(33),
    /** sink → source: the repository id and its key-less key check token. */
    KEY_CHECK(34),
    /** key holder → sink (read session): a data or tree blob one of its own snapshots references; BLOB. */
    READ_BLOB(35),
    /**
     * source → sink (push): part of a reference list given as a difference against an own parent snapshot's list
     * (ids added, ids removed); answered by REFS_STORED after the last part.
     */
    PUT_REFS_DELTA(36),
    /**
     * mirror receiver → sender, first frame of a link the receiver opened or was handed: run this mirror job and send
     * it here (answered by the mirror OPEN, 64, or ERROR). Numbered after the mirror messages (64–73).
     */
    MIRROR_PULL(74);

    private final int wire;

    MessageType(int wire) {
        this.wire = wire;
    }

    /** The frame type number on the wire. */
    public int wire() {
        return wire;
    }

    /** The message for a frame type, or null if this protocol has no such message. */
    public static MessageType fromWire(int wire) {
        for (MessageType t : values()) {
            if (t.wire == wire) {
                return t;
            }
        }
        return null;
    }
}
