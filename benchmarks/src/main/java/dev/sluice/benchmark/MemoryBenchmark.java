package dev.sluice.benchmark;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Memory bandwidth as the JVM sees it: System.arraycopy of 1 MiB between two heap arrays; one op = 1 MiB. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MemoryBenchmark {

    private byte[] source;
    private byte[] target;

    @Setup
    public void setUp() {
        source = SampleData.random(SampleData.MIB, 8);
        target = new byte[SampleData.MIB];
    }

    @Benchmark
    public byte[] arraycopy() {
        System.arraycopy(source, 0, target, 0, source.length);
        return target;
    }
}
