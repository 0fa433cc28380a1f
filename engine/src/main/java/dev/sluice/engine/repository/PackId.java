package dev.sluice.engine.repository;

import java.util.Arrays;

/** Identifier of a pack file: the SHA-256 of the file's bytes, so anyone can verify a pack against its name. */
public final class PackId extends Id256 implements Comparable<PackId> {
    /** Length of the identifier in bytes. */
    public static final int LENGTH = Id256.LENGTH;

    private PackId(byte[] bytes) {
        super(bytes);
    }

    /** Returns an id holding a copy of {@code bytes}, which must be exactly 32 bytes long. */
    public static PackId of(byte[] bytes) {
        return new PackId(checked(bytes, "PackId"));
    }

    /** Reads an id from {@code LENGTH} bytes of {@code source} starting at {@code offset}. */
    static PackId read(byte[] source, int offset) {
        return new PackId(Arrays.copyOfRange(source, offset, offset + LENGTH));
    }

    /** Parses 64 hexadecimal digits (either case). */
    public static PackId fromHex(String hex) {
        return new PackId(Hex.decode(hex, LENGTH, "PackId"));
    }

    @Override
    public int compareTo(PackId other) {
        return compareBytes(other);
    }
}
