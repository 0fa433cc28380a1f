package dev.sluice.engine.repository;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Constants of the pack file format (version 1), shared by {@link PackWriter} and {@link PackReader}. */
final class PackFormat {
    static final byte[] HEADER_MAGIC = "SLPK".getBytes(StandardCharsets.US_ASCII);
    static final byte[] TRAILER_MAGIC = "SLPT".getBytes(StandardCharsets.US_ASCII);
    static final byte VERSION = 1;
    /** magic(4) version(1) reserved(3). */
    static final int HEADER_SIZE = 8;
    /** kind(1) id(32) offset(8) length(4). */
    static final int ENTRY_SIZE = 1 + BlobId.LENGTH + 8 + 4;
    /** entry count(4) trailer length(4) CRC-32C of the entries(4) magic(4). */
    static final int FOOTER_SIZE = 16;
    /** Offsets are kept as unsigned 32-bit numbers in the in-memory index. */
    static final long MAX_DATA_END = 0xFFFF_FFFFL;

    private PackFormat() {}

    static byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
        b.put(HEADER_MAGIC).put(VERSION).put((byte) 0).put((byte) 0).put((byte) 0);
        return b.array();
    }
}
