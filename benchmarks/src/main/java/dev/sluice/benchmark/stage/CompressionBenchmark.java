package dev.sluice.benchmark.stage;

import dev.sluice.benchmark.SampleData;
import dev.sluice.engine.compress.BlobCompressor;
import dev.sluice.engine.compress.DecompressionException;
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
 * The compression stage: {@link BlobCompressor} (zstd level 3, the repository default) compressing
 * and decompressing a 1 MiB chunk of random or text data; one op = 1 MiB uncompressed.
 * Limit: raw zstd-jni with a reused context ({@code ZstdBenchmark}, level 3, same data).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CompressionBenchmark {

    @Param({"random", "text"})
    public String data;

    int size = SampleData.MIB;
    private byte[] plain;
    private byte[] framed;
    private BlobCompressor compressor;

    @Setup
    public void setUp() {
        plain = SampleData.named(data, size, 6);
        compressor = new BlobCompressor("zstd", 3);
        framed = compressor.compress(plain, 0, plain.length);
    }

    @TearDown
    public void tearDown() {
        compressor.close();
    }

    @Benchmark
    public byte[] compress() {
        return compressor.compress(plain, 0, plain.length);
    }

    @Benchmark
    public byte[] decompress() throws DecompressionException {
        return compressor.decompress(framed, 0, framed.length, plain.length);
    }
}
