package dev.sluice.engine.mirror;

import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked cursor over one mirror payload: every field is checked against what is left before anything
 * is allocated, and a short or overlong payload is a MALFORMED {@link ProtocolException} naming the message.
 */
final class WireReader {
    private final ByteBuffer b;
    private final MirrorMessage message;

    WireReader(MirrorMessage message, byte[] payload) {
        this.message = message;
        this.b = ByteBuffer.wrap(payload);
    }

    int u8(String field) throws ProtocolException {
        need(1, field);
        return b.get() & 0xff;
    }

    int u16(String field) throws ProtocolException {
        need(2, field);
        return b.getShort() & 0xffff;
    }

    int u32(String field) throws ProtocolException {
        need(4, field);
        return b.getInt();
    }

    long u64(String field) throws ProtocolException {
        need(8, field);
        return b.getLong();
    }

    /** A non-negative 64-bit number. */
    long length(String field) throws ProtocolException {
        long v = u64(field);
        if (v < 0) {
            throw malformed(field + " " + v + " is negative");
        }
        return v;
    }

    /** A u32 count of items of at least {@code minItemBytes} each that must fit in what remains. */
    int count(String field, int minItemBytes) throws ProtocolException {
        int n = u32(field);
        if (n < 0 || (long) n * minItemBytes > b.remaining()) {
            throw malformed(field + " " + Integer.toUnsignedString(n) + " does not fit in the " + b.remaining()
                    + " bytes that follow");
        }
        return n;
    }

    /** {@code n} raw bytes, after checking they are there. */
    byte[] bytes(int n, String field) throws ProtocolException {
        if (n < 0) {
            throw malformed(field + " has negative length " + n);
        }
        need(n, field);
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    /** A u16 length and that many bytes. */
    byte[] shortBytes(String field) throws ProtocolException {
        return bytes(u16(field + " length"), field);
    }

    /** A u16 length and that many bytes of UTF-8. */
    String text(String field) throws ProtocolException {
        byte[] raw = shortBytes(field);
        try {
            CharBuffer c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw));
            return c.toString();
        } catch (CharacterCodingException e) {
            throw malformed(field + " is not valid UTF-8");
        }
    }

    /** The next {@code n} bytes as a read-only view (no copy). */
    ByteBuffer view(int n, String field) throws ProtocolException {
        if (n < 0) {
            throw malformed(field + " has negative length " + n);
        }
        need(n, field);
        ByteBuffer v = b.slice();
        v.limit(n);
        b.position(b.position() + n);
        return v.asReadOnlyBuffer();
    }

    void end() throws ProtocolException {
        if (b.hasRemaining()) {
            throw malformed(b.remaining() + " unexpected bytes after the last field");
        }
    }

    private void need(int n, String field) throws ProtocolException {
        if (b.remaining() < n) {
            throw malformed("it ends inside " + field + " (" + b.remaining() + " of " + n + " bytes)");
        }
    }

    ProtocolException malformed(String what) {
        return new ProtocolException(ErrorCode.MALFORMED, "malformed mirror " + message + " message: " + what);
    }
}
