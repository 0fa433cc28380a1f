package dev.sluice.engine.protocol;

/**
 * The frames of the directions (docs/protocol.md): the first frames that say which way a link runs, PULL (request
 * id, job name; a sink asks a source to run a job and push it over this link) and READY (request id; a source that
 * dialed a sink waits to be pulled) — OPEN is the third kind of first frame, a push —, the keep-alive of a parked
 * link (PING, PONG: request id only) and the source's OUTCOME at the end of a pulled session.
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

    /** A PING or PONG payload: only a request id (a PONG repeats its PING's). */
    public static byte[] keepalive(int requestId) {
        return SessionCodec.idOnly(requestId);
    }

    /** The request id of a PING or PONG payload. */
    public static int decodeKeepalive(MessageType type, byte[] payload) throws ProtocolException {
        return SessionCodec.decodeIdOnly(type, payload);
    }

    /**
     * What the source says at the end of a pulled session: its job's final status (0..255, as {@code sluice backup}
     * would exit; 3 = some files could not be read) and, when it failed, why (empty otherwise).
     */
    public record Outcome(int status, String message) {
        public Outcome {
            if (status < 0 || status > 255) {
                throw new IllegalArgumentException("an outcome status is 0..255, got " + status);
            }
            java.util.Objects.requireNonNull(message, "message");
        }
    }

    /** An OUTCOME payload: request id, u8 status, u16 length, UTF-8 message (cut to 4096 bytes). */
    public static byte[] outcome(int requestId, Outcome outcome) {
        byte[] m = outcome.message().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (m.length > ErrorCodec.MAX_MESSAGE) {
            // cut on a character boundary so the text stays valid UTF-8
            int end = ErrorCodec.MAX_MESSAGE;
            while (end > 0 && (m[end] & 0xc0) == 0x80) {
                end--;
            }
            m = java.util.Arrays.copyOf(m, end);
        }
        return java.nio.ByteBuffer.allocate(4 + 1 + 2 + m.length).putInt(requestId).put((byte) outcome.status())
                .putShort((short) m.length).put(m).array();
    }

    /** Decodes an OUTCOME payload. */
    public static Outcome decodeOutcome(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.OUTCOME, payload);
        r.requestId();
        int status = r.u8("status");
        String message = r.text("message");
        r.end();
        if (message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > ErrorCodec.MAX_MESSAGE) {
            throw r.malformed("the message is longer than " + ErrorCodec.MAX_MESSAGE + " bytes");
        }
        return new Outcome(status, message);
    }
}
