package dev.sluice.benchmark;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Hardware limit of the JDK's SHA-256 and HMAC-SHA-256 on 1 MiB byte arrays; one op = 1 MiB. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DigestBenchmark {

    private byte[] input;
    private MessageDigest sha256;
    private Mac hmac;

    @Setup
    public void setUp() throws GeneralSecurityException {
        input = SampleData.random(SampleData.MIB, 1);
        sha256 = MessageDigest.getInstance("SHA-256");
        hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(SampleData.random(32, 2), "HmacSHA256"));
    }

    @Benchmark
    public byte[] sha256() {
        sha256.update(input);
        return sha256.digest();
    }

    @Benchmark
    public byte[] hmacSha256() {
        hmac.update(input);
        return hmac.doFinal();
    }
}
