package dev.sluice.engine.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** OPEN and OPEN_READ (request id, job name) and their answer OPENED (request id). */
public final class SessionCodec {
    private SessionCodec() {
    }

    /** A decoded OPEN. */
    public record Open(int requestId, String job) {
    }

    public static byte[] open(int requestId, String job) {
        byte[] j = job.getBytes(StandardCharsets.UTF_8);
        if (j.length == 0 || j.length > 1024) {
            throw new IllegalArgumentException("job name '" + job + "' must be 1..1024 bytes of UTF-8");
        }
        return ByteBuffer.allocate(4 + 2 + j.length).putInt(requestId).putShort((short) j.length).put(j).array();
    }

    public static Open decodeOpen(byte[] payload) throws ProtocolException {
        return decodeOpen(MessageType.OPEN, payload);
    }

    /** Decodes an OPEN or an OPEN_READ (same layout). */
    public static Open decodeOpen(MessageType type, byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(type, payload);
        int id = r.requestId();
        String job = r.text("job name");
        r.end();
        if (job.isEmpty()) {
            throw r.malformed("the job name is empty");
        }
        return new Open(id, job);
    }

    /** A payload of only a request id (OPENED, LIST_SNAPSHOTS, GET_KEY_CHECK). */
    public static byte[] idOnly(int requestId) {
        return ByteBuffer.allocate(4).putInt(requestId).array();
    }

    public static int decodeIdOnly(MessageType type, byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(type, payload);
        int id = r.requestId();
        r.end();
        return id;
    }
}
