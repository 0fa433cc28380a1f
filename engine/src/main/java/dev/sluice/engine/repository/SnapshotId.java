package dev.sluice.engine.repository;

import java.util.Arrays;

/** Identifier of a snapshot record: the SHA-256 of the stored record file, verifiable without the key. */
public final class SnapshotId implements Comparable<SnapshotId> {
    /** Length of the identifier in bytes. */
    public static final int LENGTH = 32;

    private final byte[] bytes;

    private SnapshotId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Returns an id holding a copy of {@code bytes}, which must be exactly 32 bytes long. */
    public static SnapshotId of(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("SnapshotId needs " + LENGTH + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return new SnapshotId(bytes.clone());
    }

    /** Reads an id from {@code LENGTH} bytes of {@code source} starting at {@code offset}. */
    static SnapshotId read(byte[] source, int offset) {
        return new SnapshotId(Arrays.copyOfRange(source, offset, offset + LENGTH));
    }

    /** Parses 64 hexadecimal digits (either case). */
    public static SnapshotId fromHex(String hex) {
        return new SnapshotId(Hex.decode(hex, LENGTH, "SnapshotId"));
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
    public int compareTo(SnapshotId other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotId other && Arrays.equals(bytes, other.bytes);
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
