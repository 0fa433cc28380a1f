package dev.sluice.benchmark.stage;

import dev.sluice.benchmark.SampleData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A deterministic source tree for the end-to-end backup benchmark, of exactly {@code mib} MiB:
 * one quarter in two random files, five eighths in two log-like text files, and the last eighth
 * in 2,000 small files (a quarter to one and three quarters of the mean size, 16 KiB for 256 MiB;
 * alternately text and random) in 20 directories.
 */
public final class BackupTree {

    /** Size of the tree the benchmark backs up, in MiB. */
    public static final int DEFAULT_MIB = 256;

    /** Number of small files. */
    static final int SMALL_FILES = 2_000;

    private BackupTree() {}

    /** Writes the tree under {@code root} (which must be empty or missing); returns the bytes written. */
    public static long write(Path root, int mib) throws IOException {
        if (mib < 16 || mib % 16 != 0) {
            throw new IllegalArgumentException("tree size must be a positive multiple of 16 MiB, got " + mib);
        }
        Files.createDirectories(root.resolve("large"));
        long total = 0;
        int randomMib = mib / 8;
        int textMib = mib * 5 / 16;
        for (int f = 0; f < 2; f++) {
            total += writeBlocks(root.resolve("large/random-" + f + ".bin"), "random", randomMib, 100 + f * 1000);
            total += writeBlocks(root.resolve("large/text-" + f + ".txt"), "text", textMib, 200 + f * 1000);
        }
        long smallBudget = (long) mib * SampleData.MIB - total;
        long mean = smallBudget / SMALL_FILES;
        long left = smallBudget;
        for (int i = 0; i < SMALL_FILES; i++) {
            long spread = mean / 4 + mean * 3 / 2 * ((i * 7919L) % 1000) / 1000;
            int size = (int) (i == SMALL_FILES - 1 ? left : Math.min(left, spread));
            Path dir = root.resolve(String.format("small/d%02d", i % 20));
            Files.createDirectories(dir);
            String kind = i % 2 == 0 ? "text" : "random";
            Files.write(dir.resolve("f" + i + (i % 2 == 0 ? ".txt" : ".bin")), SampleData.named(kind, size, 5000 + i));
            left -= size;
            total += size;
        }
        if (total != (long) mib * SampleData.MIB) {
            throw new IllegalStateException("benchmark tree under " + root + " has " + total + " bytes, expected "
                    + mib + " MiB");
        }
        return total;
    }

    private static long writeBlocks(Path file, String kind, int mib, long seed) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                out.write(SampleData.named(kind, SampleData.MIB, seed + i));
            }
        }
        return (long) mib * SampleData.MIB;
    }
}
