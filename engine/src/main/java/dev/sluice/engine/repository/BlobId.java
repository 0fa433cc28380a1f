package dev.sluice.engine.repository;

import java.util.Arrays;

/** Identifier of a blob: 32 bytes chosen by the source (a keyed hash); opaque to the repository. */
public final class BlobId implements Comparable<BlobId> {
    /** Length of the identifier in bytes. */
    public static final int LENGTH = 32;

    private final byte[] bytes;

    private BlobId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Returns an id holding a copy of {@code bytes}, which must be exactly 32 bytes long. */
    public static BlobId of(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("BlobId needs " + LENGTH + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return new BlobId(bytes.clone());
    }

    /** Reads an id from {@code LENGTH} bytes of {@code source} starting at {@code offset}. */
    static BlobId read(byte[] source, int offset) {
        return new BlobId(Arrays.copyOfRange(source, offset, offset + LENGTH));
    }

    /** Parses 64 hexadecimal digits (either case). */
    public static BlobId fromHex(String hex) {
        return new BlobId(Hex.decode(hex, LENGTH, "BlobId"));
    }

    /** A copy of the 32 bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The bytes without copying; callers inside the package must not modify them. */
    byte[] raw() {
        return bytes;
    }

    /** 64 lower-case hexadecimal digits. */
    public String hex() {
        return Hex.encode(bytes);
    }

    /** The first 8 hexadecimal digits, for messages and listings. */
    public String shortHex() {
        return hex().substring(0, 8);
    }

    @Override
    public int compareTo(BlobId other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlobId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
