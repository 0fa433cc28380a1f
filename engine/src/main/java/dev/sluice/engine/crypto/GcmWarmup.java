package dev.sluice.engine.crypto;

import java.security.SecureRandom;

/**
 * Gets the JDK's AES-GCM onto its CPU intrinsics before real data arrives. The JDK 17
 * provider runs AES-CTR and GHASH as plain Java (about 90 MB/s) until the JIT has compiled
 * their callers, which takes thousands of calls; a few thousand tiny seal/open round trips
 * with a throwaway key (about 70 ms on one core) get there. Measured in docs/crypto.md.
 */
public final class GcmWarmup {
    private GcmWarmup() {}

    /** Seals and opens {@code rounds} tiny blobs under a random throwaway key. */
    public static void run(int rounds) {
        MasterKey key = MasterKey.generate(new SecureRandom());
        try {
            BlobSealer sealer = new BlobSealer(key, new SecureRandom());
            BlobOpener opener = new BlobOpener(key);
            byte[] id = new byte[32];
            byte[] plain = new byte[64];
            for (int i = 0; i < rounds; i++) {
                byte[] sealed = sealer.seal((byte) 1, id, plain, 0, plain.length);
                opener.open((byte) 1, id, sealed, 0, sealed.length);
            }
        } catch (BlobAuthenticationException e) {
            throw new IllegalStateException("AES-GCM warm-up failed to open its own blob", e);
        } finally {
            key.destroy();
        }
    }
}
