package dev.sluice.engine.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.PasswordConverter;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Seals a {@link MasterKey} under a password: Argon2id derives a 32-byte key from the
 * password (as UTF-8) and a random 16-byte salt, and AES-256-GCM seals the 64 key bytes.
 *
 * <p>Wrapped format (big-endian), 122 bytes:
 * <pre>
 *   version      1   = 1
 *   memoryKiB    4
 *   iterations   4
 *   parallelism  1
 *   salt        16
 *   nonce       12
 *   ciphertext  64 + tag 16
 * </pre>
 * The 38-byte header (everything before the ciphertext) is the GCM associated data, so the
 * parameters cannot be altered without detection. Only Bouncy Castle's Argon2 is used here;
 * AES-GCM is the JDK's.
 */
public final class PasswordWrap {

    /** Format version written in the first byte. */
    public static final int VERSION = 1;

    static final int HEADER = 1 + 4 + 4 + 1 + 16 + 12;
    /** Length of a wrapped key. */
    public static final int LENGTH = HEADER + MasterKey.LENGTH + 16;

    private PasswordWrap() {}

    /** Wraps {@code key} under {@code password}; draws the salt and nonce from {@code random}. */
    public static byte[] wrap(MasterKey key, char[] password, Argon2Params params, SecureRandom random) {
        Objects.requireNonNull(password, "password");
        byte[] salt = new byte[16];
        byte[] nonce = new byte[12];
        random.nextBytes(salt);
        random.nextBytes(nonce);
        ByteBuffer out = ByteBuffer.allocate(LENGTH);
        out.put((byte) VERSION).putInt(params.memoryKiB()).putInt(params.iterations())
                .put((byte) params.parallelism()).put(salt).put(nonce);
        byte[] kek = derive(password, salt, params);
        byte[] raw = key.encoded();
        try {
            Cipher c = KeyDerivation.newGcm();
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(KeyDerivation.GCM_TAG_BITS, nonce));
            c.updateAAD(out.array(), 0, HEADER);
            c.doFinal(raw, 0, raw.length, out.array(), HEADER);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing of the master key failed", e);
        } finally {
            Arrays.fill(kek, (byte) 0);
            Arrays.fill(raw, (byte) 0);
        }
        return out.array();
    }

    /**
     * Unwraps a key sealed by {@link #wrap}.
     *
     * @throws WrongKeyException "wrong password" when authentication fails
     * @throws KeyException when the blob is truncated, of an unknown version, or has absurd parameters
     */
    public static MasterKey unwrap(byte[] wrapped, char[] password) throws KeyException {
        Objects.requireNonNull(password, "password");
        if (wrapped == null || wrapped.length < HEADER) {
            throw new KeyException("wrapped key is truncated: " + (wrapped == null ? 0 : wrapped.length)
                    + " bytes, expected " + LENGTH);
        }
        ByteBuffer in = ByteBuffer.wrap(wrapped);
        int version = in.get() & 0xff;
        if (version != VERSION) {
            throw new KeyException("wrapped key has unknown format version " + version + " (this sluice reads version " + VERSION + ")");
        }
        if (wrapped.length != LENGTH) {
            throw new KeyException("wrapped key is damaged or truncated: " + wrapped.length + " bytes, expected " + LENGTH);
        }
        Argon2Params params;
        try {
            params = new Argon2Params(in.getInt(), in.getInt(), in.get() & 0xff);
        } catch (IllegalArgumentException e) {
            throw new KeyException("wrapped key is damaged: " + e.getMessage(), e);
        }
        byte[] salt = new byte[16];
        byte[] nonce = new byte[12];
        in.get(salt).get(nonce);
        byte[] kek = derive(password, salt, params);
        byte[] raw = null;
        try {
            Cipher c = KeyDerivation.newGcm();
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(KeyDerivation.GCM_TAG_BITS, nonce));
            c.updateAAD(wrapped, 0, HEADER);
            raw = c.doFinal(wrapped, HEADER, wrapped.length - HEADER);
            return MasterKey.decode(raw);
        } catch (AEADBadTagException e) {
            throw new WrongKeyException("wrong password", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM opening of the master key failed", e);
        } finally {
            Arrays.fill(kek, (byte) 0);
            if (raw != null) {
                Arrays.fill(raw, (byte) 0);
            }
        }
    }

    /** Reads the cost parameters recorded in a wrapped key without unwrapping it. */
    public static Argon2Params params(byte[] wrapped) throws KeyException {
        if (wrapped == null || wrapped.length != LENGTH || (wrapped[0] & 0xff) != VERSION) {
            throw new KeyException("not a version " + VERSION + " wrapped key of " + LENGTH + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(wrapped, 1, 9);
        try {
            return new Argon2Params(in.getInt(), in.getInt(), in.get() & 0xff);
        } catch (IllegalArgumentException e) {
            throw new KeyException("wrapped key is damaged: " + e.getMessage(), e);
        }
    }

    static byte[] derive(char[] password, byte[] salt, Argon2Params params) {
        Argon2Parameters p = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(params.memoryKiB())
                .withIterations(params.iterations())
                .withParallelism(params.parallelism())
                .withSalt(salt)
                .withCharToByteConverter(PasswordConverter.UTF8)
                .build();
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(p);
        byte[] out = new byte[32];
        gen.generateBytes(password, out);
        return out;
    }
}
