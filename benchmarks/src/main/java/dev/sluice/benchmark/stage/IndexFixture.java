package dev.sluice.benchmark.stage;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.Index;
import dev.sluice.engine.repository.IndexEntry;
import dev.sluice.engine.repository.PackId;
import java.util.SplittableRandom;

/**
 * Builds an {@link Index} of {@code n} entries with pseudo-random 32-byte ids (as keyed hashes are),
 * about 16 blobs of 1 MiB per pack, and measures its memory: the index's own estimate and the
 * heap actually retained.
 */
public final class IndexFixture {

    /** Blobs per pack in the generated index (1 MiB blobs in 16 MiB packs). */
    static final int BLOBS_PER_PACK = 16;

    /**
     * Memory of an index.
     *
     * @param entries number of entries
     * @param estimatedBytes {@link Index#estimatedBytes()}
     * @param heapBytes heap retained by the index (used heap after a full GC, minus before), or -1 if not measured
     */
    public record Memory(int entries, long estimatedBytes, long heapBytes) {
        public Memory {
            if (entries <= 0) {
                throw new IllegalArgumentException("an index memory measurement needs entries, got " + entries);
            }
        }

        public double estimatedPerEntry() {
            return (double) estimatedBytes / entries;
        }

        public double heapPerEntry() {
            return heapBytes < 0 ? Double.NaN : (double) heapBytes / entries;
        }
    }

    private IndexFixture() {}

    /** The id of entry {@code i} of an index built from {@code seed}; entries of another seed are absent. */
    static BlobId id(long seed, long i) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
        byte[] b = new byte[BlobId.LENGTH];
        r.nextBytes(b);
        return BlobId.of(b);
    }

    /** An index of {@code n} entries whose ids are {@code id(seed, 0..n-1)}. */
    static Index build(int n, long seed) {
        Index index = new Index(n);
        PackId pack = null;
        for (int i = 0; i < n; i++) {
            if (i % BLOBS_PER_PACK == 0) {
                pack = PackId.of(id(~seed, i / BLOBS_PER_PACK).bytes());
            }
            BlobId id = id(seed, i);
            if (!index.add(new IndexEntry(id, BlobKind.DATA, pack, 12L + (long) (i % BLOBS_PER_PACK) * 1_048_616L,
                    1_048_616))) {
                throw new IllegalStateException("generated blob id " + id.shortHex() + " twice");
            }
        }
        return index;
    }

    /** Builds an index of {@code n} entries and measures its estimated and retained heap size. */
    public static Memory measure(int n) {
        long before = usedAfterGc();
        Index index = build(n, 1);
        long after = usedAfterGc();
        Memory m = new Memory(index.size(), index.estimatedBytes(), after - before);
        if (index.size() != n) {
            throw new IllegalStateException("index holds " + index.size() + " entries, expected " + n);
        }
        return m;
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
