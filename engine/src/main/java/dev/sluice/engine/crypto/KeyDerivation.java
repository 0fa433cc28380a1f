package dev.sluice.engine.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Derives labelled sub-keys with HMAC-SHA-256 and creates the JDK primitives this package uses. */
final class KeyDerivation {

    static final String HMAC = "HmacSHA256";
    static final String GCM = "AES/GCM/NoPadding";
    static final int GCM_TAG_BITS = 128;

    private KeyDerivation() {}

    static byte[] label(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code HMAC-SHA-256(key, part0 ‖ part1 ‖ …)}. */
    static byte[] hmac(byte[] key, byte[]... parts) {
        Mac mac = newMac(key);
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available in this JDK", e);
        }
    }

    static Cipher newGcm() {
        try {
            return Cipher.getInstance(GCM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available in this JDK", e);
        }
    }
}
