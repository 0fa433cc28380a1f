package dev.sluice.engine.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and authenticates blobs (chunks, metadata) with AES-256-GCM under a per-sealer sub-key.
 *
 * <p>Sealed format: {@code salt(16) ‖ counter(8, big-endian) ‖ ciphertext ‖ tag(16)}, where
 * {@code subkey = HMAC-SHA-256(encKey, "sluice blob subkey" ‖ salt)}, the GCM nonce is
 * {@code 0⁴ ‖ counter} and the associated data is {@code kind ‖ id}. Each instance draws a
 * fresh random salt when it is built and counts up from 0, so no (sub-key, nonce) pair ever
 * repeats; it refuses to seal once the counter would wrap. {@link #OVERHEAD} is 40 bytes.
 *
 * <p>Thread-safe: the counter is an {@link AtomicLong} and each thread uses its own
 * {@link Cipher} (a {@link ThreadLocal} per sealer). Re-initialising a thread's cipher with
 * the same key is cheap because the JDK keeps the expanded AES key; see docs/crypto.md.
 */
public final class BlobSealer {

    /** Bytes a sealed blob adds to its plaintext: salt 16 + counter 8 + tag 16. */
    public static final int OVERHEAD = 40;
    static final int SALT = 16;
    static final int HEADER = 24;
    static final byte[] SUBKEY_LABEL = KeyDerivation.label("sluice blob subkey");

    private final byte[] salt;
    private final SecretKeySpec subkey;
    private final AtomicLong counter;
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(KeyDerivation::newGcm);

    /** A sealer with a fresh salt from {@code random}. */
    public BlobSealer(MasterKey key, SecureRandom random) {
        this(key, random, 0);
    }

    BlobSealer(MasterKey key, SecureRandom random, long firstCounter) {
        this.salt = new byte[SALT];
        Objects.requireNonNull(random, "random").nextBytes(salt);
        this.subkey = subkey(key, salt);
        this.counter = new AtomicLong(firstCounter);
    }

    static SecretKeySpec subkey(MasterKey key, byte[] salt) {
        byte[] enc = key.encKey();
        byte[] sub = KeyDerivation.hmac(enc, SUBKEY_LABEL, salt);
        Arrays.fill(enc, (byte) 0);
        SecretKeySpec spec = new SecretKeySpec(sub, "AES");
        Arrays.fill(sub, (byte) 0);
        return spec;
    }

    /** A copy of this sealer's salt (the first 16 bytes of every blob it seals). */
    public byte[] salt() {
        return salt.clone();
    }

    /**
     * Seals {@code plain[off, off + len)} as a blob of {@code kind} with id {@code id};
     * returns a new array of {@code len + OVERHEAD} bytes.
     *
     * @throws IllegalStateException if this sealer has used up its 2⁶³ nonces
     */
    /** Input slice per Cipher.update call; see the comment in {@link #seal}. */
    static final int SLICE = 16 * 1024;

    public byte[] seal(byte kind, byte[] id, byte[] plain, int off, int len) {
        byte[] out = new byte[len + OVERHEAD];
        sealInto(kind, id, plain, off, len, out);
        return out;
    }

    /**
     * Seals into {@code out} (at least {@code len + OVERHEAD} bytes, from offset 0) and returns
     * the sealed length, so callers can reuse output buffers.
     */
    public int sealInto(byte kind, byte[] id, byte[] plain, int off, int len, byte[] out) {
        Objects.checkFromIndexSize(off, len, plain.length);
        if (out.length < len + OVERHEAD) {
            throw new IllegalArgumentException("output buffer of " + out.length + " bytes is too small for "
                    + (len + OVERHEAD));
        }
        long n = counter.getAndIncrement();
        if (n < 0) {
            counter.set(Long.MIN_VALUE);
            throw new IllegalStateException("blob sealer nonce counter is exhausted; create a new BlobSealer");
        }
        System.arraycopy(salt, 0, out, 0, SALT);
        byte[] nonce = new byte[12];
        for (int i = 0; i < 8; i++) {
            byte b = (byte) (n >>> (56 - 8 * i));
            out[SALT + i] = b;
            nonce[4 + i] = b;
        }
        Cipher c = ciphers.get();
        try {
            c.init(Cipher.ENCRYPT_MODE, subkey, new GCMParameterSpec(KeyDerivation.GCM_TAG_BITS, nonce));
            c.updateAAD(new byte[] {kind});
            c.updateAAD(id);
            // Feeding GCM in slices, not one 1 MiB doFinal, gives the JIT enough calls to
            // compile the AES-CTR and GHASH paths into their CPU intrinsics early (JDK 17 runs
            // them at ~90 MB/s until then; see docs/crypto.md).
            int written = 0;
            int done = 0;
            while (len - done > SLICE) {
                written += c.update(plain, off + done, SLICE, out, HEADER + written);
                done += SLICE;
            }
            written += c.doFinal(plain, off + done, len - done, out, HEADER + written);
            if (written != len + 16) {
                throw new IllegalStateException("AES-GCM wrote " + written + " bytes, expected " + (len + 16));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed", e);
        }
        return len + OVERHEAD;
    }

    @Override
    public String toString() {
        return "BlobSealer[salt hidden, sealed=" + Math.max(0, counter.get()) + "]";
    }
}
