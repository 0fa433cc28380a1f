package dev.sluice.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One message on a {@link Link}: a type chosen by the engine and a payload. Whoever holds a
 * Frame owns its payload: {@link Link#send} takes ownership of the frames it is given, and
 * whoever receives a frame from {@link Link#receive} must {@link #release()} it.
 *
 * @param type    1 to 65535; type 0 is reserved for the transport's own control messages
 * @param payload the message body; its readable bytes are sent
 */
public record Frame(int type, ByteBuf payload) {

    /** The type the transport keeps for itself (accept and close messages). */
    public static final int CONTROL_TYPE = 0;

    /** The largest type number. */
    public static final int MAX_TYPE = 0xFFFF;

    public Frame {
        if (type < 0 || type > MAX_TYPE) {
            throw new IllegalArgumentException("frame type " + type + " is outside 0..65535");
        }
        if (payload == null) {
            throw new IllegalArgumentException("frame of type " + type + " has no payload buffer");
        }
    }

    /** A frame whose payload wraps a copy of {@code bytes} (for small messages and tests). */
    public static Frame of(int type, byte[] bytes) {
        return new Frame(type, Unpooled.copiedBuffer(bytes));
    }

    /** The number of payload bytes. */
    public int length() {
        return payload.readableBytes();
    }

    /** Releases the payload; returns whether it was deallocated. */
    public boolean release() {
        return payload.release();
    }

    /** Releases the payload if it is still referenced (for discard hooks). */
    public static void releaseQuietly(Frame f) {
        if (f.payload.refCnt() > 0) {
            f.payload.release();
        }
    }

    @Override
    public String toString() {
        return "Frame[type=" + type + ", length=" + (payload.refCnt() > 0 ? payload.readableBytes() : -1) + "]";
    }
}
