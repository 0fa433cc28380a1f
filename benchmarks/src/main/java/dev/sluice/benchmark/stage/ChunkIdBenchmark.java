package dev.sluice.benchmark.stage;

import dev.sluice.benchmark.SampleData;
import dev.sluice.engine.crypto.ChunkIdHasher;
import dev.sluice.engine.crypto.MasterKey;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The chunk id stage: {@link ChunkIdHasher#id} of a 1 MiB chunk; one op = 1 MiB. Limit: JDK HMAC-SHA-256. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ChunkIdBenchmark {

    int size = SampleData.MIB;
    private byte[] chunk;
    private ChunkIdHasher hasher;

    @Setup
    public void setUp() {
        chunk = SampleData.random(size, 12);
        MasterKey key = MasterKey.generate(new SecureRandom(new byte[] {2}));
        hasher = new ChunkIdHasher(key);
        key.destroy();
    }

    @Benchmark
    public byte[] id() {
        return hasher.id(chunk);
    }
}
