package dev.sluice.engine.crypto;

import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decrypts and verifies blobs made by {@link BlobSealer}.
 *
 * <p>Sub-keys are derived per salt and kept in a small LRU cache ({@value #CACHE_SIZE}
 * salts; blobs of one pack usually share one salt). Thread-safe: the cache is synchronised
 * and each thread uses its own {@link Cipher}. Failures throw the checked
 * {@link BlobAuthenticationException}.
 */
public final class BlobOpener {

    static final int CACHE_SIZE = 64;

    private record Salt(long hi, long lo) {}

    private final MasterKey key;
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(KeyDerivation::newGcm);
    private final Map<Salt, SecretKeySpec> subkeys = new LinkedHashMap<>(CACHE_SIZE * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Salt, SecretKeySpec> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    public BlobOpener(MasterKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    /**
     * Opens {@code sealed[off, off + len)}, which must have been sealed with the same
     * {@code kind} and {@code id}; returns the plaintext ({@code len - OVERHEAD} bytes).
     *
     * @throws BlobAuthenticationException if the blob is too short, damaged, or does not
     *     match this key, kind or id
     */
    public byte[] open(byte kind, byte[] id, byte[] sealed, int off, int len) throws BlobAuthenticationException {
        Objects.checkFromIndexSize(off, len, sealed.length);
        if (len < BlobSealer.OVERHEAD) {
            throw new BlobAuthenticationException("sealed blob is " + len + " bytes, shorter than the "
                    + BlobSealer.OVERHEAD + "-byte minimum");
        }
        SecretKeySpec subkey = subkey(sealed, off);
        byte[] nonce = new byte[12];
        System.arraycopy(sealed, off + BlobSealer.SALT, nonce, 4, 8);
        Cipher c = ciphers.get();
        try {
            c.init(Cipher.DECRYPT_MODE, subkey, new GCMParameterSpec(KeyDerivation.GCM_TAG_BITS, nonce));
            c.updateAAD(new byte[] {kind});
            c.updateAAD(id);
            byte[] out = new byte[len - BlobSealer.OVERHEAD];
            int n = c.doFinal(sealed, off + BlobSealer.HEADER, len - BlobSealer.HEADER, out, 0);
            if (n != out.length) {
                throw new IllegalStateException("AES-GCM returned " + n + " bytes, expected " + out.length);
            }
            return out;
        } catch (AEADBadTagException e) {
            throw new BlobAuthenticationException("sealed blob of kind " + kind + " failed authentication:"
                    + " it is damaged or belongs to another key, kind or id", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM opening failed", e);
        }
    }

    private SecretKeySpec subkey(byte[] sealed, int off) {
        Salt s = new Salt(readLong(sealed, off), readLong(sealed, off + 8));
        synchronized (subkeys) {
            SecretKeySpec k = subkeys.get(s);
            if (k != null) {
                return k;
            }
        }
        byte[] salt = new byte[BlobSealer.SALT];
        System.arraycopy(sealed, off, salt, 0, BlobSealer.SALT);
        SecretKeySpec k = BlobSealer.subkey(key, salt);
        synchronized (subkeys) {
            subkeys.put(s, k);
        }
        return k;
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xffL);
        }
        return v;
    }
}
