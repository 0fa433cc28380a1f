package dev.sluice.benchmark.stage;

import dev.sluice.benchmark.SampleData;
import dev.sluice.engine.chunk.Chunker;
import dev.sluice.engine.chunk.ChunkerParams;
import dev.sluice.engine.chunk.GearTable;
import dev.sluice.engine.crypto.MasterKey;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The chunker stage: {@link Chunker#cut} over 64 MiB of random data, start to end, as
 * {@code ChunkReader} calls it (no copy of the chunks); one invocation = 64 ops of 1 MiB.
 * Limit: memory bandwidth ({@code MemoryBenchmark.arraycopy}), since the chunker reads every byte once.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ChunkerBenchmark {

    /** MiB of input per invocation; keep equal to the OperationsPerInvocation below. */
    static final int DATA_MIB = 64;

    /** min/avg/max in KiB: the chunker's default, the repository's default, and the mirror's (MirrorChunking). */
    @Param({"256/1024/8192", "512/1024/8192", "4/16/64"})
    public String params;

    int dataMib = DATA_MIB;
    private byte[] data;
    private Chunker chunker;
    private int max;

    @Setup
    public void setUp() {
        String[] kib = params.split("/");
        ChunkerParams p = new ChunkerParams(Integer.parseInt(kib[0]) << 10, Integer.parseInt(kib[1]) << 10,
                Integer.parseInt(kib[2]) << 10);
        MasterKey key = MasterKey.generate(new SecureRandom(new byte[] {1}));
        chunker = new Chunker(p, GearTable.fromSeed(key.chunkerSeed()));
        key.destroy();
        max = p.max();
        data = SampleData.random(dataMib * SampleData.MIB, 11);
    }

    /** Cuts the whole buffer; returns the number of chunks. */
    @Benchmark
    @OperationsPerInvocation(DATA_MIB)
    public int cut() {
        int chunks = 0;
        int off = 0;
        while (off < data.length) {
            off += chunker.cut(data, off, Math.min(max, data.length - off));
            chunks++;
        }
        return chunks;
    }
}
