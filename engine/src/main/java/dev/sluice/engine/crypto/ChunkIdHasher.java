package dev.sluice.engine.crypto;

import java.util.Arrays;
import javax.crypto.Mac;

/**
 * Computes chunk ids: {@code HMAC-SHA-256(idKey, chunk bytes)}, 32 bytes.
 *
 * <p>Not thread-safe: it owns one {@link Mac}. Use one instance per thread (for example a
 * {@code ThreadLocal} in the stage, or one per worker); creating one costs a
 * {@code Mac.getInstance} and an HMAC key setup, a few microseconds.
 */
public final class ChunkIdHasher {

    /** Length of an id in bytes. */
    public static final int ID_LENGTH = 32;

    private final Mac mac;

    public ChunkIdHasher(MasterKey key) {
        byte[] idKey = key.idKey();
        this.mac = KeyDerivation.newMac(idKey);
        Arrays.fill(idKey, (byte) 0);
    }

    /** The id of {@code data[off, off + len)}. */
    public byte[] id(byte[] data, int off, int len) {
        mac.update(data, off, len);
        return mac.doFinal();
    }

    /** The id of all of {@code data}. */
    public byte[] id(byte[] data) {
        return id(data, 0, data.length);
    }
}
