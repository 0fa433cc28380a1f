package dev.sluice.engine.protocol;

/**
 * The first frames that say which way a link runs (docs/protocol.md): PULL (request id, job name; a sink asks a
 * source to run a job and push it over this link) and READY (request id; a source that dialed a sink waits to be
 * pulled). OPEN is the third kind of first frame, a push.
 */
public final class DirectionCodec {
    private DirectionCodec() {
    }

    /** A PULL payload: the same layout as OPEN. */
    public static byte[] pull(int requestId, String job) {
        return SessionCodec.open(requestId, job);
    }

    /** The job a PULL names. */
    public static String decodePull(byte[] payload) throws ProtocolException {
        return decodeJob(MessageType.PULL, payload);
    }

    /** A MIRROR_PULL payload: the same layout as PULL, naming the sender's mirror job. */
    public static byte[] mirrorPull(int requestId, String job) {
        return SessionCodec.open(requestId, job);
    }

    /** The mirror job a MIRROR_PULL names. */
    public static String decodeMirrorPull(byte[] payload) throws ProtocolException {
        return decodeJob(MessageType.MIRROR_PULL, payload);
    }

    private static String decodeJob(MessageType type, byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(type, payload);
        r.requestId();
        String job = r.text("job name");
        r.end();
        if (job.isEmpty()) {
            throw r.malformed("the job name is empty");
        }
        return job;
    }

    /** A READY payload: only a request id. */
    public static byte[] ready(int requestId) {
        return SessionCodec.idOnly(requestId);
    }

    /** Checks a READY payload. */
    public static void decodeReady(byte[] payload) throws ProtocolException {
        SessionCodec.decodeIdOnly(MessageType.READY, payload);
    }
}
