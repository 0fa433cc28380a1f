package dev.sluice.engine.repository;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
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
        try {
            RefsFormat.encode(sortedUniqueIds, new DigestOutputStream(OutputStream.nullOutputStream(), digest));
        } catch (IOException e) {
            throw new UncheckedIOException("hashing a reference list in memory failed", e);
        }
        return BlobId.of(digest.digest());
    }
}
