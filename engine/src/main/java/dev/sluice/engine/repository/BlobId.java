package dev.sluice.engine.repository;

import java.util.Arrays;

/** Identifier of a blob: 32 bytes chosen by the source (a keyed hash); opaque to the repository. */
public final class BlobId extends Id256 implements Comparable<BlobId> {
    /** Length of the identifier in bytes. */
    public static final int LENGTH = Id256.LENGTH;

    private BlobId(byte[] bytes) {
        super(bytes);
    }

    /** Returns an id holding a copy of {@code bytes}, which must be exactly 32 bytes long. */
    public static BlobId of(byte[] bytes) {
        return new BlobId(checked(bytes, "BlobId"));
    }

    /** Reads an id from {@code LENGTH} bytes of {@code source} starting at {@code offset}. */
    static BlobId read(byte[] source, int offset) {
        return new BlobId(Arrays.copyOfRange(source, offset, offset + LENGTH));
    }

    /** Parses 64 hexadecimal digits (either case). */
    public static BlobId fromHex(String hex) {
        return new BlobId(Hex.decode(hex, LENGTH, "BlobId"));
    }

    @Override
    public int compareTo(BlobId other) {
        return compareBytes(other);
    }
}
