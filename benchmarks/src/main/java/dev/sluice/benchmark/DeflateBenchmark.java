package dev.sluice.benchmark;

import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Hardware limit of the JDK Deflater at level 1 on 1 MiB blocks, the fastest built-in compressor; one op = 1 MiB. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DeflateBenchmark {

    @Param({"random", "text"})
    public String data;

    private byte[] input;
    private byte[] output;
    private Deflater deflater;

    @Setup
    public void setUp() {
        input = SampleData.named(data, SampleData.MIB, 7);
        output = new byte[SampleData.MIB / 4];
        deflater = new Deflater(1);
    }

    @TearDown
    public void tearDown() {
        deflater.end();
    }

    @Benchmark
    public long compressLevel1() {
        deflater.reset();
        deflater.setInput(input);
        deflater.finish();
        while (!deflater.finished()) {
            deflater.deflate(output);
        }
        return deflater.getBytesWritten();
    }
}
