package dev.sluice.transport.frame;

import dev.sluice.transport.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The transport's own messages, carried in frames of type 0: ACCEPT (the listening side
 * admits the peer) and CLOSE (the sender is ending the link, and why). Payload: a kind byte
 * (1 accept, 2 close); for close also a code byte and up to {@value #MAX_DETAIL} bytes of
 * UTF-8 detail.
 */
public sealed interface Control {

    /** Longest close detail sent, in bytes. */
    int MAX_DETAIL = 1024;

    /** The listening side has authenticated the peer and admits it. */
    record Accept() implements Control {
    }

    /** The sender is ending the link. */
    record Close(CloseReason.Code code, String detail) implements Control {
    }

    /** The payload of an ACCEPT message. */
    static ByteBuf accept(ByteBufAllocator alloc) {
        return alloc.buffer(1).writeByte(1);
    }

    /** The payload of a CLOSE message for {@code reason}. */
    static ByteBuf close(ByteBufAllocator alloc, CloseReason reason) {
        byte[] d = reason.detail().getBytes(StandardCharsets.UTF_8);
        int n = Math.min(d.length, MAX_DETAIL);
        return alloc.buffer(2 + n).writeByte(2).writeByte(reason.code().wire()).writeBytes(d, 0, n);
    }

    /** Parses a control payload (does not release it). */
    static Control parse(ByteBuf payload) {
        if (!payload.isReadable()) {
            throw new FrameCodecException(CloseReason.Code.PROTOCOL_ERROR, "peer sent an empty control message");
        }
        int kind = payload.getUnsignedByte(payload.readerIndex());
        if (kind == 1 && payload.readableBytes() == 1) {
            return new Accept();
        }
        if (kind == 2 && payload.readableBytes() >= 2 && payload.readableBytes() <= 2 + MAX_DETAIL) {
            int code = payload.getUnsignedByte(payload.readerIndex() + 1);
            String detail = payload.toString(payload.readerIndex() + 2, payload.readableBytes() - 2,
                    StandardCharsets.UTF_8);
            return new Close(CloseReason.Code.fromWire(code), sanitize(detail));
        }
        throw new FrameCodecException(CloseReason.Code.PROTOCOL_ERROR, "peer sent an unknown control message (kind "
                + kind + ", " + payload.readableBytes() + " bytes)");
    }

    /** Replaces control characters in a peer-supplied detail so it is safe to log. */
    private static String sanitize(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
