package dev.sluice.engine.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** ERROR (request id or 0 for the session, u16 code, u16 length, UTF-8 message of at most 4096 bytes). */
public final class ErrorCodec {
    static final int MAX_MESSAGE = 4096;

    private ErrorCodec() {
    }

    /** A decoded ERROR. */
    public record Error(int requestId, ErrorCode code, String message) {
    }

    public static byte[] encode(int requestId, ErrorCode code, String message) {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        if (m.length > MAX_MESSAGE) {
            m = Arrays.copyOf(m, MAX_MESSAGE);
        }
        return ByteBuffer.allocate(8 + m.length).putInt(requestId).putShort((short) code.wire())
                .putShort((short) m.length).put(m).array();
    }

    public static Error decode(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.ERROR, payload);
        int requestId = r.requestId();
        int code = r.u16("code");
        byte[] m = r.bytes(r.u16("message length"), "message");
        r.end();
        return new Error(requestId, ErrorCode.fromWire(code), new String(m, StandardCharsets.UTF_8));
    }
}
