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

    /** An unsigned LEB128 number of at most 63 bits (10 bytes at most). */
    long varint(String field) throws ProtocolException {
        long v = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            int b = u8(field);
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (v < 0) {
                    throw malformed(field + " overflows 63 bits");
                }
                return v;
            }
        }
        throw malformed(field + " is a varint longer than 9 bytes");
    }

    /** An unsigned LEB128 number of all 64 bits (10 bytes at most), e.g. a zigzag-encoded difference. */
    long varint64(String field) throws ProtocolException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8(field);
            if (shift == 63 && (b & 0x7e) != 0) {
                throw malformed(field + " overflows 64 bits");
            }
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw malformed(field + " is a varint longer than 10 bytes");
    }

    /** A varint that must fit an unsigned 32-bit field; returned as its int bits. */
    long varint32(String field) throws ProtocolException {
        long v = varint(field);
        if (v > 0xffffffffL) {
            throw malformed(field + " " + v + " does not fit 32 bits");
        }
        return (int) v;
    }

    /** A varint in 0..max (a length or count, checked before anything is allocated for it). */
    int smallVarint(String field, int max) throws ProtocolException {
        long v = varint(field);
        if (v > max) {
            throw malformed(field + " " + v + " exceeds " + max);
        }
        return (int) v;
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
