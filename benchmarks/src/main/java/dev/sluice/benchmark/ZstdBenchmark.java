package dev.sluice.benchmark;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
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

/** Hardware limit of zstd-jni compression and decompression of 1 MiB blocks; one op = 1 MiB uncompressed. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ZstdBenchmark {

    @Param({"1", "3"})
    public int level;

    @Param({"random", "text"})
    public String data;

    private byte[] input;
    private byte[] compressed;
    private int compressedLength;
    private byte[] scratch;
    private byte[] restored;
    private ZstdCompressCtx compressor;
    private ZstdDecompressCtx decompressor;

    @Setup
    public void setUp() {
        input = SampleData.named(data, SampleData.MIB, 6);
        compressor = new ZstdCompressCtx().setLevel(level);
        decompressor = new ZstdDecompressCtx();
        scratch = new byte[(int) Zstd.compressBound(input.length)];
        compressed = new byte[scratch.length];
        compressedLength = compressor.compressByteArray(compressed, 0, compressed.length, input, 0, input.length);
        restored = new byte[input.length];
    }

    @TearDown
    public void tearDown() {
        compressor.close();
        decompressor.close();
    }

    @Benchmark
    public int compress() {
        return compressor.compressByteArray(scratch, 0, scratch.length, input, 0, input.length);
    }

    @Benchmark
    public int decompress() {
        return decompressor.decompressByteArray(restored, 0, restored.length, compressed, 0, compressedLength);
    }
}
