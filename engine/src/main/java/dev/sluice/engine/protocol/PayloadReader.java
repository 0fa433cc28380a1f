package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.BlobId;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** A length-checked cursor over one message payload: every read names the message when it runs short. */
final class PayloadReader {
    private final ByteBuffer b;
    private final MessageType type;

    PayloadReader(MessageType type, byte[] payload) {
        this.type = type;
        this.b = ByteBuffer.wrap(payload);
    }

    int requestId() throws ProtocolException {
        return i32("request id");
    }

    int u8(String field) throws ProtocolException {
        need(1, field);
        return b.get() & 0xff;
    }

    int u16(String field) throws ProtocolException {
        need(2, field);
        return b.getShort() & 0xffff;
    }

    int i32(String field) throws ProtocolException {
        need(4, field);
        return b.getInt();
    }

    /** A count of items of {@code itemBytes} each that must fit in what remains. */
    int count(String field, int itemBytes) throws ProtocolException {
        int n = i32(field);
        if (n < 0 || (long) n * itemBytes > b.remaining()) {
            throw malformed(field + " " + n + " does not fit in the " + b.remaining() + " bytes that follow");
        }
        return n;
    }

    byte[] bytes(int n, String field) throws ProtocolException {
        if (n < 0) {
            throw malformed(field + " has negative length " + n);
        }
        need(n, field);
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    BlobId blobId(String field) throws ProtocolException {
        return BlobId.of(bytes(BlobId.LENGTH, field));
    }

    String text(String field) throws ProtocolException {
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
    byte[] rest() {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
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
        return new ProtocolException(ErrorCode.MALFORMED, "malformed " + type + " message: " + what);
    }

}
