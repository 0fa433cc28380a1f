package dev.sluice.transport.frame;

import dev.sluice.transport.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Encodes {@link Hello}s and {@link Frame}s for {@link FrameDecoder}. The payload buffer is
 * passed on as is (no copy) after a small header buffer; the frame's ownership moves to the
 * channel.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Object> {

    /** The encoder has no state; one instance serves every channel. */
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof Frame || msg instanceof Hello;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof Hello h) {
            out.add(h.encode(ctx.alloc()));
            return;
        }
        Frame f = (Frame) msg;
        ByteBuf payload = f.payload();
        ByteBuf header = ctx.alloc().buffer(FrameDecoder.HEADER_LENGTH);
        header.writeInt(payload.readableBytes()).writeShort(f.type());
        out.add(header);
        out.add(payload);
    }
}
