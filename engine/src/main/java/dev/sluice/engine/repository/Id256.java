package dev.sluice.engine.repository;

import java.util.Arrays;

/**
 * The shared behaviour of the repository's 32-byte identifiers (blob, pack and snapshot
 * ids): an immutable copy of the bytes, hex forms, unsigned ordering, value equality
 * within one kind of id.
 */
public abstract sealed class Id256 permits BlobId, PackId, SnapshotId {
    /** Length of an identifier in bytes. */
    public static final int LENGTH = 32;

    private final byte[] bytes;

    Id256(byte[] bytes) {
        this.bytes = bytes;
    }

    static byte[] checked(byte[] bytes, String what) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException(what + " needs " + LENGTH + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return bytes.clone();
    }

    /** A copy of the 32 bytes. */
    public final byte[] bytes() {
        return bytes.clone();
    }

    /** The bytes without copying; callers inside the package must not modify them. */
    final byte[] raw() {
        return bytes;
    }

    /** 64 lower-case hexadecimal digits. */
    public final String hex() {
        return Hex.encode(bytes);
    }

    /** The first 8 hexadecimal digits, for messages and listings. */
    public final String shortHex() {
        return hex().substring(0, 8);
    }

    final int compareBytes(Id256 other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(bytes, ((Id256) o).bytes);
    }

    @Override
    public final int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public final String toString() {
        return hex();
    }
}
