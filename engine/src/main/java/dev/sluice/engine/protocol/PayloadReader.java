package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.BlobId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A length-checked cursor over one message payload: every read names the message when it runs short, and nothing is
 * allocated for a field before it is known to be there. The mirror protocol's reader extends it.
 */
public class PayloadReader {
    private final ByteBuffer b;
    private final String message;

    PayloadReader(MessageType type, byte[] payload) {
        this(type.toString(), payload);
    }

    /** @param message the message's name as errors show it */
    protected PayloadReader(String message, byte[] payload) {
        this(message, ByteBuffer.wrap(payload));
    }

    /** Reads {@code payload} from its position to its limit (heap or direct; the caller gives up its position). */
    protected PayloadReader(String message, ByteBuffer payload) {
        this.message = message;
        this.b = payload.order(ByteOrder.BIG_ENDIAN);
    }

    /** The payload's cursor, for readers of further field kinds. */
    protected final ByteBuffer buffer() {
        return b;
    }

    public final int requestId() throws ProtocolException {
        return i32("request id");
    }

    public final int u8(String field) throws ProtocolException {
        need(1, field);
        return b.get() & 0xff;
    }

    public final int u16(String field) throws ProtocolException {
        need(2, field);
        return b.getShort() & 0xffff;
    }

    public final int i32(String field) throws ProtocolException {
        need(4, field);
        return b.getInt();
    }

    /** A u32 count of items of at least {@code itemBytes} each that must fit in what remains. */
    public final int count(String field, int itemBytes) throws ProtocolException {
        int n = i32(field);
        if (n < 0 || (long) n * itemBytes > b.remaining()) {
            throw malformed(field + " " + Integer.toUnsignedString(n) + " does not fit in the " + b.remaining()
                    + " bytes that follow");
        }
        return n;
    }

    public final byte[] bytes(int n, String field) throws ProtocolException {
        if (n < 0) {
            throw malformed(field + " has negative length " + n);
        }
        need(n, field);
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    public final BlobId blobId(String field) throws ProtocolException {
        return BlobId.of(bytes(BlobId.LENGTH, field));
    }

    public final String text(String field) throws ProtocolException {
        int n = u16(field + " length");
        need(n, field);
        ByteBuffer slice = b.slice();
        slice.limit(n);
        b.position(b.position() + n);
        try {
            CharBuffer c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice);
            return c.toString();
        } catch (CharacterCodingException e) {
            throw malformed(field + " is not valid UTF-8");
        }
    }

    /** The rest of the payload. */
    public final byte[] rest() {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    public final void end() throws ProtocolException {
        if (b.hasRemaining()) {
            throw malformed(b.remaining() + " unexpected bytes after the last field");
        }
    }

    protected final void need(int n, String field) throws ProtocolException {
        if (b.remaining() < n) {
            throw malformed("it ends inside " + field + " (" + b.remaining() + " of " + n + " bytes)");
        }
    }

    public final ProtocolException malformed(String what) {
        return new ProtocolException(ErrorCode.MALFORMED, "malformed " + message + " message: " + what);
    }

}
