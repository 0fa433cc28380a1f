package dev.sluice.engine.repository;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256, the hash that names packs, index files, reference lists and snapshots. */
final class Sha256 {
    private Sha256() {}

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK provides no SHA-256", e);
        }
    }

    static byte[] of(byte[] data) {
        return newDigest().digest(data);
    }
}
