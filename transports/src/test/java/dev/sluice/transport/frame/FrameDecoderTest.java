package dev.sluice.transport.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    private static final int MAX = 8192;
    private final List<Object> toRelease = new ArrayList<>();
    private final List<ByteBuf> inputs = new ArrayList<>();
    private EmbeddedChannel channel;

    @AfterEach
    void nothingLeaks() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        for (Object o : toRelease) {
            if (o instanceof Frame f) {
                f.release();
            } else {
                ReferenceCountUtil.release(o);
            }
        }
        for (ByteBuf in : inputs) {
            assertEquals(1, in.refCnt(), "the decoder or a frame still holds the input");
            in.release();
        }
    }

    private ByteBuf wire(Object... messages) {
        EmbeddedChannel enc = new EmbeddedChannel(FrameEncoder.INSTANCE);
        for (Object m : messages) {
            assertTrue(enc.writeOutbound(m));
        }
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        while ((b = enc.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        assertFalse(enc.finish());
        return all;
    }

    private static Frame frame(int type, String text) {
        return Frame.of(type, text.getBytes(StandardCharsets.UTF_8));
    }

    private List<Object> decodeSplitAt(ByteBuf input, int split) {
        channel = new EmbeddedChannel(new FrameDecoder(MAX));
        channel.writeInbound(input.retainedSlice(0, split));
        channel.writeInbound(input.retainedSlice(split, input.readableBytes() - split));
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = channel.readInbound()) != null) {
            out.add(o);
            toRelease.add(o);
        }
        return out;
    }

    @Test
    void decodesHelloAndFramesWhateverTheSplit() {
        ByteBuf input = wire(Hello.current(MAX), frame(7, "hello"), frame(65535, ""), new Frame(1,
                Unpooled.wrappedBuffer(new byte[MAX])));
        try {
            for (int split = 0; split <= input.readableBytes(); split++) {
                List<Object> out = decodeSplitAt(input, split);
                assertEquals(4, out.size(), "split at " + split);
                assertEquals(Hello.current(MAX), out.get(0));
                Frame a = (Frame) out.get(1);
                assertEquals(7, a.type());
                assertEquals("hello", a.payload().toString(StandardCharsets.UTF_8));
                assertEquals(65535, ((Frame) out.get(2)).type());
                assertEquals(0, ((Frame) out.get(2)).length());
                assertEquals(MAX, ((Frame) out.get(3)).length());
                assertFalse(channel.finish());
                channel = null;
                for (Object o : out) {
                    if (o instanceof Frame f) {
                        f.release();
                    }
                }
                toRelease.clear();
            }
        } finally {
            inputs.add(input);
        }
    }

    @Test
    void byteByByteInputYieldsTheSameFrames() {
        ByteBuf input = wire(Hello.current(MAX), frame(3, "abc"), frame(4, "defg"));
        channel = new EmbeddedChannel(new FrameDecoder(MAX));
        while (input.isReadable()) {
            channel.writeInbound(input.readRetainedSlice(1));
        }
        input.release();
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = channel.readInbound()) != null) {
            out.add(o);
            toRelease.add(o);
        }
        assertEquals(3, out.size());
        assertEquals("defg", ((Frame) out.get(2)).payload().toString(StandardCharsets.UTF_8));
    }

    private FrameCodecException decodeExpectingFailure(ByteBuf input) {
        channel = new EmbeddedChannel(new FrameDecoder(MAX));
        FrameCodecException e = assertThrows(FrameCodecException.class, () -> channel.writeInbound(input));
        Object o;
        while ((o = channel.readInbound()) != null) {
            toRelease.add(o);
        }
        return e;
    }

    @Test
    void oversizedLengthIsRejectedBeforeThePayloadArrives() {
        ByteBuf hello = wire(Hello.current(MAX));
        ByteBuf header = Unpooled.buffer().writeBytes(hello).writeInt(MAX + 1).writeShort(5);
        hello.release();
        FrameCodecException e = decodeExpectingFailure(header);
        assertEquals(CloseReason.Code.FRAME_TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("8193 bytes"), e.getMessage());
        // everything after the failure is dropped, nothing is decoded
        channel.writeInbound(wire(frame(1, "x")));
        assertNull(channel.readInbound());
    }

    @Test
    void negativeLengthIsRejected() {
        ByteBuf hello = wire(Hello.current(MAX));
        ByteBuf header = Unpooled.buffer().writeBytes(hello).writeInt(-1).writeShort(5);
        hello.release();
        assertEquals(CloseReason.Code.PROTOCOL_ERROR, decodeExpectingFailure(header).code());
    }

    @Test
    void wrongMagicIsRejectedAtTheFirstWrongByte() {
        ByteBuf garbage = Unpooled.copiedBuffer("GET", StandardCharsets.US_ASCII);
        FrameCodecException e = decodeExpectingFailure(garbage);
        assertEquals(CloseReason.Code.PROTOCOL_ERROR, e.code());
        assertTrue(e.getMessage().contains("not speaking the sluice link protocol"), e.getMessage());
    }

    @Test
    void otherVersionIsAVersionMismatch() {
        FrameCodecException e = decodeExpectingFailure(new Hello(Hello.VERSION + 1, MAX)
                .encode(ByteBufAllocator.DEFAULT));
        assertEquals(CloseReason.Code.VERSION_MISMATCH, e.code());
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    @Test
    void tooSmallAnnouncedMaximumIsRejected() {
        assertEquals(CloseReason.Code.PROTOCOL_ERROR,
                decodeExpectingFailure(new Hello(Hello.VERSION, 10).encode(ByteBufAllocator.DEFAULT)).code());
    }

    @Test
    void endInsideAFrameIsTruncated() {
        ByteBuf input = wire(Hello.current(MAX), frame(9, "0123456789"));
        for (int cut : new int[] {0, 5, Hello.LENGTH + 3, input.readableBytes() - 1}) {
            channel = new EmbeddedChannel(new FrameDecoder(MAX));
            channel.writeInbound(input.retainedSlice(0, cut));
            Object o;
            while ((o = channel.readInbound()) != null) {
                toRelease.add(o);
            }
            FrameCodecException e = assertThrows(FrameCodecException.class, channel::finish, "cut at " + cut);
            assertEquals(CloseReason.Code.TRUNCATED, e.code(), e.getMessage());
            channel.releaseInbound();
            channel = null;
        }
        inputs.add(input);
    }

    @Test
    void endBetweenFramesIsClean() {
        channel = new EmbeddedChannel(new FrameDecoder(MAX));
        channel.writeInbound(wire(Hello.current(MAX), frame(9, "a")));
        Object o;
        while ((o = channel.readInbound()) != null) {
            toRelease.add(o);
        }
        assertFalse(channel.finish());
        channel = null;
    }

    @Test
    void controlMessagesRoundTrip() {
        ByteBuf accept = Control.accept(ByteBufAllocator.DEFAULT);
        assertEquals(new Control.Accept(), Control.parse(accept));
        accept.release();
        ByteBuf close = Control.close(ByteBufAllocator.DEFAULT, CloseReason.of(CloseReason.Code.FRAME_TOO_LARGE,
                "too big\u0007"));
        assertEquals(new Control.Close(CloseReason.Code.FRAME_TOO_LARGE, "too big?"), Control.parse(close));
        close.release();
        ByteBuf unknown = Unpooled.wrappedBuffer(new byte[] {9});
        assertEquals(CloseReason.Code.PROTOCOL_ERROR,
                assertThrows(FrameCodecException.class, () -> Control.parse(unknown)).code());
    }
}
