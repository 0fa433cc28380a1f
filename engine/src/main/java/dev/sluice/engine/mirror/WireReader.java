package dev.sluice.engine.mirror;

import dev.sluice.engine.protocol.PayloadReader;
import dev.sluice.engine.protocol.ProtocolException;
import java.nio.ByteBuffer;

/**
 * A bounds-checked cursor over one mirror payload: the backup protocol's {@link PayloadReader} plus the mirror's
 * field kinds (varints, 64-bit lengths, views). A short or overlong payload is a MALFORMED {@link ProtocolException}
 * naming the message.
 */
final class WireReader extends PayloadReader {

    WireReader(MirrorMessage message, byte[] payload) {
        super("mirror " + message, payload);
    }

    /** Over {@code payload} from its position to its limit, e.g. a view of a received buffer (no copy). */
    WireReader(MirrorMessage message, ByteBuffer payload) {
        super("mirror " + message, payload);
    }

    int u32(String field) throws ProtocolException {
        return i32(field);
    }

    long u64(String field) throws ProtocolException {
        need(8, field);
        return buffer().getLong();
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

    /** A u16 length and that many bytes. */
    byte[] shortBytes(String field) throws ProtocolException {
        return bytes(u16(field + " length"), field);
    }

    /** The next {@code n} bytes as a read-only view (no copy). */
    ByteBuffer view(int n, String field) throws ProtocolException {
        if (n < 0) {
            throw malformed(field + " has negative length " + n);
        }
        need(n, field);
        ByteBuffer b = buffer();
        ByteBuffer v = b.slice();
        v.limit(n);
        b.position(b.position() + n);
        return v.asReadOnlyBuffer();
    }
}
