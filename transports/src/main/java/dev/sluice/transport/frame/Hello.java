package dev.sluice.transport.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The first message each side sends: magic, protocol version, and the largest frame payload
 * the sender accepts. Wire form: {@code "sluice"} (6 ASCII bytes), version (u16), max frame
 * length (u32), all big-endian; 12 bytes.
 *
 * @param version        protocol version
 * @param maxFrameLength the largest payload the sender of this hello accepts
 */
public record Hello(int version, int maxFrameLength) {

    /** The six bytes every sluice link starts with. */
    static final byte[] MAGIC = "sluice".getBytes(StandardCharsets.US_ASCII);

    /** The protocol version this code speaks. */
    public static final int VERSION = 1;

    /** Encoded length in bytes. */
    public static final int LENGTH = 12;

    public Hello {
        if (version < 0 || version > 0xFFFF) {
            throw new IllegalArgumentException("protocol version " + version + " is outside 0..65535");
        }
        if (maxFrameLength < 0) {
            throw new IllegalArgumentException("maximum frame length " + maxFrameLength + " is negative");
        }
    }

    /** This side's hello for the current version. */
    public static Hello current(int maxFrameLength) {
        return new Hello(VERSION, maxFrameLength);
    }

    /** Writes this hello into a new buffer. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = alloc.buffer(LENGTH);
        b.writeBytes(MAGIC).writeShort(version).writeInt(maxFrameLength);
        return b;
    }
}
