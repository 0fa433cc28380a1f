package dev.sluice.engine.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * The repository's secret: a 32-byte encryption key followed by a 32-byte id key.
 *
 * <p>The encryption key seals blobs ({@link BlobSealer}); the id key makes chunk ids
 * ({@link ChunkIdHasher}) and the chunker's gear-table seed ({@link #chunkerSeed()}).
 * {@link #toString()} never shows key material. After {@link #destroy()} the bytes are
 * zeroed and every accessor throws {@link IllegalStateException}.
 */
public final class MasterKey {

    /** Length of the encoded key. */
    public static final int LENGTH = 64;

    private static final byte[] CHUNKER_LABEL = KeyDerivation.label("sluice chunker seed v1");

    private final byte[] bytes;
    private volatile boolean destroyed;

    private MasterKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Draws a new random key. */
    public static MasterKey generate(SecureRandom random) {
        byte[] b = new byte[LENGTH];
        Objects.requireNonNull(random, "random").nextBytes(b);
        return new MasterKey(b);
    }

    /** Rebuilds a key from {@link #encoded()}; the argument is copied. */
    public static MasterKey decode(byte[] encoded) {
        if (encoded == null || encoded.length != LENGTH) {
            throw new IllegalArgumentException("a master key is " + LENGTH + " bytes, got "
                    + (encoded == null ? "null" : encoded.length));
        }
        return new MasterKey(encoded.clone());
    }

    /** A copy of the 64 key bytes ({@code encKey ‖ idKey}); the caller should zero it after use. */
    public byte[] encoded() {
        check();
        return bytes.clone();
    }

    /** {@code HMAC-SHA-256(idKey, "sluice chunker seed v1")}: the 32-byte seed for the chunker's gear table. */
    public byte[] chunkerSeed() {
        return KeyDerivation.hmac(idKey(), CHUNKER_LABEL);
    }

    /** A copy of the encryption key (first 32 bytes). */
    byte[] encKey() {
        check();
        return Arrays.copyOfRange(bytes, 0, 32);
    }

    /** A copy of the id key (last 32 bytes). */
    byte[] idKey() {
        check();
        return Arrays.copyOfRange(bytes, 32, 64);
    }

    /** Zeroes the key bytes; the key cannot be used afterwards. */
    public void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    private void check() {
        if (destroyed) {
            throw new IllegalStateException("master key has been destroyed");
        }
    }

    @Override
    public String toString() {
        return destroyed ? "MasterKey[destroyed]" : "MasterKey[64 bytes, hidden]";
    }
}
