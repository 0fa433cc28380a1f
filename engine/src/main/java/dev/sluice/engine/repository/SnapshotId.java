package dev.sluice.engine.repository;

import java.util.Arrays;

/** Identifier of a snapshot record: the SHA-256 of the stored record file, verifiable without the key. */
public final class SnapshotId extends Id256 implements Comparable<SnapshotId> {
    /** Length of the identifier in bytes. */
    public static final int LENGTH = Id256.LENGTH;

    private SnapshotId(byte[] bytes) {
        super(bytes);
    }

    /** Returns an id holding a copy of {@code bytes}, which must be exactly 32 bytes long. */
    public static SnapshotId of(byte[] bytes) {
        return new SnapshotId(checked(bytes, "SnapshotId"));
    }

    /** Reads an id from {@code LENGTH} bytes of {@code source} starting at {@code offset}. */
    static SnapshotId read(byte[] source, int offset) {
        return new SnapshotId(Arrays.copyOfRange(source, offset, offset + LENGTH));
    }

    /** Parses 64 hexadecimal digits (either case). */
    public static SnapshotId fromHex(String hex) {
        return new SnapshotId(Hex.decode(hex, LENGTH, "SnapshotId"));
    }

    @Override
    public int compareTo(SnapshotId other) {
        return compareBytes(other);
    }
}
