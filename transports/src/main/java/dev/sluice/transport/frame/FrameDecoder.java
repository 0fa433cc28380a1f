package dev.sluice.transport.frame;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.LinkSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Decodes a peer's byte stream into a {@link Hello} followed by {@link Frame}s. A frame is a
 * 6-byte header, payload length (u32, at most the maximum given here) and type (u16), then
 * the payload. Lengths are checked as soon as the header is complete, before any payload is
 * buffered; payloads are retained slices of the input. After the first error the decoder
 * drops everything, and an end of input inside a hello or frame is reported as TRUNCATED.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    /** Bytes in a frame header. */
    public static final int HEADER_LENGTH = 6;

    private enum State { HELLO, HEADER, PAYLOAD, FAILED }

    private final int maxFrameLength;
    private State state = State.HELLO;
    private int length;
    private int type;

    /** A decoder that accepts payloads of up to {@code maxFrameLength} bytes. */
    public FrameDecoder(int maxFrameLength) {
        if (maxFrameLength < LinkSpec.MIN_FRAME_LENGTH) {
            throw new IllegalArgumentException("maximum frame length " + maxFrameLength + " is below "
                    + LinkSpec.MIN_FRAME_LENGTH);
        }
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            switch (state) {
                case HELLO -> {
                    checkMagicPrefix(in);
                    if (in.readableBytes() < Hello.LENGTH) {
                        return;
                    }
                    in.skipBytes(Hello.MAGIC.length);
                    int version = in.readUnsignedShort();
                    long peerMax = in.readUnsignedInt();
                    if (version != Hello.VERSION) {
                        fail(CloseReason.Code.VERSION_MISMATCH, "peer speaks link protocol version " + version
                                + ", this side speaks version " + Hello.VERSION);
                    }
                    if (peerMax < LinkSpec.MIN_FRAME_LENGTH || peerMax > Integer.MAX_VALUE) {
                        fail(CloseReason.Code.PROTOCOL_ERROR, "peer announced an unusable maximum frame length of "
                                + peerMax + " bytes");
                    }
                    out.add(new Hello(version, (int) peerMax));
                    state = State.HEADER;
                }
                case HEADER -> {
                    if (in.readableBytes() < HEADER_LENGTH) {
                        return;
                    }
                    int len = in.readInt();
                    int t = in.readUnsignedShort();
                    if (len < 0) {
                        fail(CloseReason.Code.PROTOCOL_ERROR, "peer announced a frame of negative length "
                                + Integer.toUnsignedString(len) + " (type " + t + ")");
                    }
                    if (len > maxFrameLength) {
                        fail(CloseReason.Code.FRAME_TOO_LARGE, "peer announced a frame of " + len
                                + " bytes (type " + t + "), the maximum is " + maxFrameLength);
                    }
                    length = len;
                    type = t;
                    state = State.PAYLOAD;
                }
                case PAYLOAD -> {
                    if (in.readableBytes() < length) {
                        return;
                    }
                    out.add(new Frame(type, in.readRetainedSlice(length)));
                    state = State.HEADER;
                }
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                default -> throw new IllegalStateException("unknown decoder state " + state);
            }
        }
    }

    private void checkMagicPrefix(ByteBuf in) {
        int n = Math.min(in.readableBytes(), Hello.MAGIC.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != Hello.MAGIC[i]) {
                String seen = ByteBufUtil.hexDump(in, in.readerIndex(), Math.min(in.readableBytes(), 16));
                fail(CloseReason.Code.PROTOCOL_ERROR, "peer is not speaking the sluice link protocol (it began with 0x"
                        + seen + ")");
            }
        }
    }

    private void fail(CloseReason.Code code, String message) {
        state = State.FAILED;
        throw new FrameCodecException(code, message);
    }

    /** Reports a connection that ends inside a hello or frame before passing the end on. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        FrameCodecException truncated = truncation(internalBuffer());
        if (truncated != null) {
            ctx.fireExceptionCaught(truncated);
        }
        super.channelInactive(ctx);
    }

    private FrameCodecException truncation(ByteBuf in) {
        String where = switch (state) {
            case HELLO -> "before the handshake finished (" + in.readableBytes() + " of " + Hello.LENGTH
                    + " hello bytes)";
            case HEADER -> in.isReadable() ? "inside a frame header (" + in.readableBytes() + " of "
                    + HEADER_LENGTH + " bytes)" : null;
            case PAYLOAD -> "inside a frame of type " + type + " (" + in.readableBytes() + " of " + length
                    + " payload bytes)";
            case FAILED -> null;
        };
        if (where == null) {
            return null;
        }
        state = State.FAILED;
        return new FrameCodecException(CloseReason.Code.TRUNCATED, "connection ended " + where);
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.FAILED) {
            in.skipBytes(in.readableBytes());
            return;
        }
        decode(ctx, in, out);
        FrameCodecException truncated = truncation(in);
        if (truncated != null) {
            in.skipBytes(in.readableBytes());
            throw truncated;
        }
    }
}
