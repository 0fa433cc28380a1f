package dev.sluice.benchmark;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Hardware limit of AES-256-GCM through the JDK provider on 1 MiB messages; one op = 1 MiB of plaintext. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CipherBenchmark {

    private static final int TAG_BITS = 128;
    private static final int WARMUP_SECONDS = 6;

    private byte[] plaintext;
    private byte[] ciphertext;
    private byte[] output;
    private SecretKey key;
    private Cipher encryptor;
    private Cipher decryptor;
    private final byte[] nonce = new byte[12];
    private byte[] fixedNonce;
    private long counter;

    @Setup
    public void setUp() throws GeneralSecurityException {
        plaintext = SampleData.random(SampleData.MIB, 3);
        key = new SecretKeySpec(SampleData.random(32, 4), "AES");
        encryptor = Cipher.getInstance("AES/GCM/NoPadding");
        decryptor = Cipher.getInstance("AES/GCM/NoPadding");
        output = new byte[SampleData.MIB + TAG_BITS / 8];
        fixedNonce = SampleData.random(12, 5);
        Cipher once = Cipher.getInstance("AES/GCM/NoPadding");
        once.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, fixedNonce));
        ciphertext = once.doFinal(plaintext);
        warmUpIntrinsics();
    }

    /**
     * Runs messages through both ciphers for a few seconds so that the JIT compiles the provider's
     * AES and GHASH loops to their CPU intrinsics: with 1 MiB messages alone that takes several
     * seconds, longer than a quick run's warmup, and the run would measure the interpreter.
     * JDK 17 compiles them after many 128 KiB messages, JDK 25 only after enough 1 MiB ones.
     */
    private void warmUpIntrinsics() throws GeneralSecurityException {
        byte[] small = new byte[128 * 1024];
        warm(small, 3_000, Long.MAX_VALUE);
        warm(plaintext, Integer.MAX_VALUE, System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS));
    }

    private void warm(byte[] message, int count, long deadline) throws GeneralSecurityException {
        byte[] sealed = new byte[message.length + TAG_BITS / 8];
        byte[] opened = new byte[message.length];
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            ByteBuffer.wrap(nonce).putLong(4, ++counter);
            encryptor.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            int n = encryptor.doFinal(message, 0, message.length, sealed, 0);
            decryptor.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            decryptor.doFinal(sealed, 0, n, opened, 0);
        }
    }

    /** Encrypts with a fresh counter nonce each time, as the provider refuses nonce reuse. */
    @Benchmark
    public int encrypt() throws GeneralSecurityException {
        ByteBuffer.wrap(nonce).putLong(4, ++counter);
        encryptor.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
        return encryptor.doFinal(plaintext, 0, plaintext.length, output, 0);
    }

    @Benchmark
    public int decrypt() throws GeneralSecurityException {
        decryptor.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, fixedNonce));
        return decryptor.doFinal(ciphertext, 0, ciphertext.length, output, 0);
    }
}
