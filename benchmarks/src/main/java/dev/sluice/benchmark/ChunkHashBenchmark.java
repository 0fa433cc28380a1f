package dev.sluice.benchmark;

import dev.sluice.engine.mirror.ChunkHash;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The mirror's keyed chunk hash next to SHA-256 on 16 KiB chunks (the chunker's mean; one op = 1 MiB hashed as 64
 * chunks), so the numbers compare directly with {@link DigestBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ChunkHashBenchmark {

    @Param({"16384"})
    public int chunk;

    private byte[] input;
    private final byte[] out = new byte[32];
    private ChunkHash hash;
    private MessageDigest sha256;

    @Setup
    public void setUp() throws GeneralSecurityException {
        input = SampleData.random(SampleData.MIB, 1);
        hash = new ChunkHash(SampleData.random(ChunkHash.KEY_BYTES, 2));
        sha256 = MessageDigest.getInstance("SHA-256");
    }

    @Benchmark
    public byte[] chunkHash() {
        for (int off = 0; off < input.length; off += chunk) {
            hash.hash(input, off, chunk, out, 0);
        }
        return out;
    }

    @Benchmark
    public byte[] sha256() throws GeneralSecurityException {
        for (int off = 0; off < input.length; off += chunk) {
            sha256.update(input, off, chunk);
            sha256.digest(out, 0, 32);
        }
        return out;
    }
}
