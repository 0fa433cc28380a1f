package dev.sluice.engine.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A small sealed token stored with a repository that proves a master key belongs to it.
 *
 * <p>Format: {@code version(1) = 1 ‖ nonce(12) ‖ AES-256-GCM("sluice key check v1") ‖ tag(16)},
 * 48 bytes, under {@code HMAC-SHA-256(encKey, "sluice key check")}, with associated data
 * {@code version ‖ repositoryId}. Opening it with another key or for another repository id fails.
 */
public final class KeyCheck {

    private static final byte[] PLAIN = KeyDerivation.label("sluice key check v1");
    private static final byte[] LABEL = KeyDerivation.label("sluice key check");
    private static final int VERSION = 1;
    /** Length of a key check. */
    public static final int LENGTH = 1 + 12 + PLAIN.length + 16;

    private KeyCheck() {}

    /** Seals the fixed check plaintext for {@code repositoryId}. */
    public static byte[] create(MasterKey key, byte[] repositoryId) {
        byte[] out = new byte[LENGTH];
        out[0] = VERSION;
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 1, 12);
        Cipher c = cipher(Cipher.ENCRYPT_MODE, key, nonce);
        try {
            c.updateAAD(out, 0, 1);
            c.updateAAD(repositoryId);
            c.doFinal(PLAIN, 0, PLAIN.length, out, 13);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing the key check failed", e);
        }
        return out;
    }

    /**
     * Checks that {@code check} was made by {@link #create} with this key and repository id.
     *
     * @throws WrongKeyException "this key does not belong to this repository" otherwise
     * @throws IllegalArgumentException if {@code check} is not a key check at all (wrong length or version)
     */
    public static void verify(MasterKey key, byte[] check, byte[] repositoryId) throws WrongKeyException {
        if (check == null || check.length != LENGTH || check[0] != VERSION) {
            throw new IllegalArgumentException("key check is damaged: expected " + LENGTH + " bytes of version " + VERSION);
        }
        Cipher c = cipher(Cipher.DECRYPT_MODE, key, Arrays.copyOfRange(check, 1, 13));
        byte[] plain;
        try {
            c.updateAAD(check, 0, 1);
            c.updateAAD(repositoryId);
            plain = c.doFinal(check, 13, check.length - 13);
        } catch (AEADBadTagException e) {
            throw new WrongKeyException("this key does not belong to this repository", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("opening the key check failed", e);
        }
        if (!MessageDigest.isEqual(plain, PLAIN)) {
            throw new WrongKeyException("this key does not belong to this repository");
        }
    }

    private static Cipher cipher(int mode, MasterKey key, byte[] nonce) {
        byte[] enc = key.encKey();
        byte[] sub = KeyDerivation.hmac(enc, LABEL);
        Arrays.fill(enc, (byte) 0);
        try {
            Cipher c = KeyDerivation.newGcm();
            c.init(mode, new SecretKeySpec(sub, "AES"), new GCMParameterSpec(KeyDerivation.GCM_TAG_BITS, nonce));
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not usable", e);
        } finally {
            Arrays.fill(sub, (byte) 0);
        }
    }
}
