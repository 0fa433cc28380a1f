package dev.sluice.engine.repository;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Iterator;

/**
 * The id a reference list would be stored under (the SHA-256 of its file, docs/repository.md), computed without
 * writing it: a source checks with it that a list it rebuilt is a snapshot's list, and that a sink stored the list
 * it meant.
 */
public final class RefsDigest {
    private RefsDigest() {
    }

    /** The id of the reference list of these ids, which must be strictly ascending. */
    public static BlobId of(Iterator<BlobId> sortedUniqueIds) {
        MessageDigest digest = Sha256.newDigest();
        digest.update(RefsFormat.MAGIC);
        digest.update(new byte[] {RefsFormat.VERSION, 0, 0, 0});
        long count = 0;
        BlobId previous = null;
        while (sortedUniqueIds.hasNext()) {
            BlobId id = sortedUniqueIds.next();
            if (previous != null && previous.compareTo(id) >= 0) {
                throw new IllegalArgumentException("reference ids must be sorted and unique: " + id.hex()
                        + " follows " + previous.hex() + " (position " + count + ")");
            }
            digest.update(id.raw());
            previous = id;
            count++;
        }
        digest.update(ByteBuffer.allocate(8).putLong(count).array());
        digest.update(RefsFormat.END_MAGIC);
        return BlobId.of(digest.digest());
    }
}
