package dev.sluice.benchmark;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Deterministic benchmark inputs: incompressible random bytes and compressible text-like bytes. */
public final class SampleData {

    /** One mebibyte, the unit every throughput benchmark here processes per operation. */
    public static final int MIB = 1 << 20;

    private static final String[] WORDS = {
        "the", "backup", "of", "a", "server", "runs", "every", "night", "and", "keeps",
        "snapshots", "for", "seven", "days", "error", "warning", "info", "debug", "request",
        "GET", "POST", "/api/v1/items", "status=200", "status=404", "latency_ms", "user",
        "session", "opened", "closed", "connection", "from", "to", "host", "database",
        "table", "row", "inserted", "updated", "deleted", "checksum", "chunk", "file",
        "directory", "permission", "denied", "timeout", "retry", "queue", "worker", "thread",
    };

    private SampleData() {}

    /** Returns {@code size} pseudo-random bytes from a fixed seed, so every run sees the same input. */
    public static byte[] random(int size, long seed) {
        byte[] out = new byte[size];
        new SplittableRandom(seed).nextBytes(out);
        return out;
    }

    /**
     * Returns {@code size} bytes of log-like ASCII text (timestamps, words, numbers) from a fixed
     * seed; zstd level 3 compresses it roughly three to five times.
     */
    public static byte[] text(int size, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder(size + 256);
        long clock = 1_700_000_000L;
        while (sb.length() < size) {
            clock += rnd.nextInt(3);
            sb.append(clock).append(' ');
            int words = 4 + rnd.nextInt(12);
            for (int i = 0; i < words; i++) {
                sb.append(WORDS[rnd.nextInt(WORDS.length)]);
                sb.append(rnd.nextInt(8) == 0 ? " " + rnd.nextInt(100_000) + " " : " ");
            }
            sb.append('\n');
        }
        byte[] all = sb.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        System.arraycopy(all, 0, out, 0, size);
        return out;
    }

    /** Returns {@link #random} or {@link #text} by name: {@code "random"} or {@code "text"}. */
    public static byte[] named(String kind, int size, long seed) {
        switch (kind) {
            case "random":
                return random(size, seed);
            case "text":
                return text(size, seed);
            default:
                throw new IllegalArgumentException("Unknown sample data kind '" + kind + "'; expected random or text.");
        }
    }
}
