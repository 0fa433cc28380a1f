package dev.sluice.benchmark.stage;

import dev.sluice.benchmark.SampleData;
import dev.sluice.transport.Frame;
import dev.sluice.transport.frame.FrameDecoder;
import dev.sluice.transport.frame.FrameEncoder;
import dev.sluice.transport.frame.Hello;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The wire codec: 1 MiB of data frames (four of 256 KiB or one of 1 MiB) per op through
 * {@link FrameEncoder} and {@link FrameDecoder} in an {@link EmbeddedChannel}, every buffer released.
 *
 * <p>{@code encode} copies a sealed blob ({@code byte[]}) into a pooled direct buffer, as a sender
 * must, and passes the frame through the encoder (which adds a 6-byte header buffer and passes the
 * payload on without copying). {@code decode} feeds the encoded stream in 64 KiB pieces, as socket
 * reads arrive (retained slices of one prepared buffer, so feeding copies nothing); the decoder
 * accumulates them (one copy) and emits retained slices. Limit: {@code MemoryBenchmark.arraycopy}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameCodecBenchmark {

    /** Size of one socket read fed to the decoder. */
    static final int READ_SIZE = 64 * 1024;
    private static final int TYPE = 1;

    @Param({"262144", "1048576"})
    public int frameSize;

    int totalBytes = SampleData.MIB;
    private byte[] blob;
    private ByteBuf stream;
    private EmbeddedChannel encoder;
    private EmbeddedChannel decoder;

    @Setup
    public void setUp() {
        if (totalBytes % frameSize != 0) {
            throw new IllegalArgumentException("frame size " + frameSize + " does not divide " + totalBytes);
        }
        blob = SampleData.random(frameSize, 15);
        encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
        decoder = new EmbeddedChannel(new FrameDecoder(16 * SampleData.MIB));
        ByteBuf hello = Hello.current(16 * SampleData.MIB).encode(ByteBufAllocator.DEFAULT);
        decoder.writeInbound(hello);
        Object h = decoder.readInbound();
        if (!(h instanceof Hello)) {
            throw new IllegalStateException("decoder did not accept the hello: " + h);
        }
        int frames = totalBytes / frameSize;
        stream = ByteBufAllocator.DEFAULT.directBuffer(frames * (FrameDecoder.HEADER_LENGTH + frameSize));
        for (int i = 0; i < frames; i++) {
            stream.writeInt(frameSize).writeShort(TYPE).writeBytes(blob);
        }
    }

    @TearDown
    public void tearDown() {
        stream.release();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }

    /** Returns the number of payload bytes encoded. */
    @Benchmark
    public long encode() {
        long bytes = 0;
        for (int sent = 0; sent < totalBytes; sent += frameSize) {
            ByteBuf payload = encoder.alloc().directBuffer(frameSize);
            payload.writeBytes(blob);
            encoder.writeOutbound(new Frame(TYPE, payload));
            ByteBuf out;
            while ((out = encoder.readOutbound()) != null) {
                bytes += out.readableBytes();
                out.release();
            }
        }
        return bytes;
    }

    /** Returns the number of payload bytes decoded. */
    @Benchmark
    public long decode() {
        long bytes = 0;
        int end = stream.writerIndex();
        for (int at = 0; at < end; at += READ_SIZE) {
            decoder.writeInbound(stream.retainedSlice(at, Math.min(READ_SIZE, end - at)));
            Object in;
            while ((in = decoder.readInbound()) != null) {
                Frame f = (Frame) in;
                bytes += f.length();
                f.release();
            }
        }
        if (bytes != totalBytes) {
            throw new IllegalStateException("decoded " + bytes + " payload bytes, expected " + totalBytes);
        }
        return bytes;
    }
}
