package dev.sluice.engine.crypto;

/**
 * Cost parameters of Argon2id (version 1.3) for {@link PasswordWrap}.
 *
 * @param memoryKiB memory in KiB, at least {@code 8 × parallelism} and at most 4 GiB
 * @param iterations passes over memory, 1..64
 * @param parallelism lanes, 1..16
 */
public record Argon2Params(int memoryKiB, int iterations, int parallelism) {

    /**
     * Default: 128 MiB, 3 passes, 1 lane. Measured on the development machine (2 cores,
     * Bouncy Castle 1.87, JDK 17, other builds running) at 0.61–0.94 s per derivation
     * (64 MiB × 3 took 0.22–0.40 s); see docs/crypto.md. Needs 128 MiB of Java heap while
     * unlocking.
     */
    public static final Argon2Params DEFAULT = new Argon2Params(128 * 1024, 3, 1);

    public Argon2Params {
        if (parallelism < 1 || parallelism > 16) {
            throw new IllegalArgumentException("Argon2 parallelism " + parallelism + " is outside 1..16");
        }
        if (iterations < 1 || iterations > 64) {
            throw new IllegalArgumentException("Argon2 iterations " + iterations + " is outside 1..64");
        }
        if (memoryKiB < 8 * parallelism || memoryKiB > 4 * 1024 * 1024) {
            throw new IllegalArgumentException("Argon2 memory " + memoryKiB + " KiB is outside "
                    + (8 * parallelism) + " KiB..4 GiB");
        }
    }
}
