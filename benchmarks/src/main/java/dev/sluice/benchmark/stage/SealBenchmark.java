package dev.sluice.benchmark.stage;

import dev.sluice.benchmark.SampleData;
import dev.sluice.engine.crypto.BlobAuthenticationException;
import dev.sluice.engine.crypto.BlobOpener;
import dev.sluice.engine.crypto.BlobSealer;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.repository.BlobKind;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The encryption stage: {@link BlobSealer#seal} and {@link BlobOpener#open} of a 1 MiB blob;
 * one op = 1 MiB of plaintext. Limit: raw JDK AES-256-GCM ({@code CipherBenchmark}). The setup
 * warms the ciphers the same way CipherBenchmark does, so both run on the JIT's AES/GHASH intrinsics.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SealBenchmark {

    private static final byte KIND = BlobKind.DATA.code();

    int size = SampleData.MIB;
    long warmupMillis = 6_000;
    int smallWarmupMessages = 3_000;
    private byte[] plain;
    private byte[] id;
    private byte[] sealed;
    private BlobSealer sealer;
    private BlobOpener opener;

    @Setup
    public void setUp() throws BlobAuthenticationException {
        plain = SampleData.random(size, 13);
        id = SampleData.random(32, 14);
        MasterKey key = MasterKey.generate(new SecureRandom(new byte[] {3}));
        sealer = new BlobSealer(key, new SecureRandom());
        opener = new BlobOpener(key);
        sealed = sealer.seal(KIND, id, plain, 0, plain.length);
        warm(new byte[128 * 1024], smallWarmupMessages, Long.MAX_VALUE);
        warm(plain, Integer.MAX_VALUE, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmupMillis));
    }

    /** Seal/open round trips until the JIT has compiled GCM to its intrinsics (see CipherBenchmark). */
    private void warm(byte[] message, int count, long deadline) throws BlobAuthenticationException {
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            byte[] s = sealer.seal(KIND, id, message, 0, message.length);
            opener.open(KIND, id, s, 0, s.length);
        }
    }

    @Benchmark
    public byte[] seal() {
        return sealer.seal(KIND, id, plain, 0, plain.length);
    }

    @Benchmark
    public byte[] open() throws BlobAuthenticationException {
        return opener.open(KIND, id, sealed, 0, sealed.length);
    }
}
