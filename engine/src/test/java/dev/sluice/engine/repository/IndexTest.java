package dev.sluice.engine.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IndexTest {
    private static final int MILLION = 1_000_000;

    @Test
    void oneMillionEntriesAreFoundAndTheMemoryIsReported() {
        Random random = new Random(42);
        PackId[] packs = new PackId[MILLION / 1000];
        for (int p = 0; p < packs.length; p++) {
            packs[p] = PackId.of(RepositoryFixture.randomBytes(random, 32));
        }
        // Keep only the raw id bytes around, not a million BlobId objects, so the measurement is of the index.
        byte[] idBytes = RepositoryFixture.randomBytes(random, MILLION * 32);

        Runtime rt = Runtime.getRuntime();
        long before = usedAfterGc(rt);
        Index index = new Index(MILLION);
        for (int i = 0; i < MILLION; i++) {
            assertTrue(index.add(entry(idBytes, i, packs)));
        }
        long after = usedAfterGc(rt);
        assertEquals(MILLION, index.size());
        assertEquals(packs.length, index.packCount());

        for (int i = 0; i < MILLION; i++) {
            BlobId id = BlobId.read(idBytes, i * 32);
            IndexEntry found = index.lookup(id);
            assertEquals(entry(idBytes, i, packs), found);
        }
        for (int i = 0; i < 10_000; i++) {
            assertFalse(index.contains(RepositoryFixture.randomId(random)));
        }

        double estimated = (double) index.estimatedBytes() / MILLION;
        double measured = (double) (after - before) / MILLION;
        System.out.printf("Index with %,d entries, presized: estimatedBytes %.1f B/entry, heap delta %.1f B/entry%n",
                MILLION, estimated, measured);
        assertTrue(estimated < 64, "presized index should need under 64 bytes per entry, was " + estimated);

        Index grown = new Index();
        for (int i = 0; i < MILLION; i++) {
            grown.add(entry(idBytes, i, packs));
        }
        System.out.printf("Index with %,d entries, grown from empty: estimatedBytes %.1f B/entry%n",
                MILLION, (double) grown.estimatedBytes() / MILLION);
        assertTrue(grown.estimatedBytes() < 100L * MILLION);
        assertEquals(entry(idBytes, 777_777, packs), grown.lookup(BlobId.read(idBytes, 777_777 * 32)));
    }

    @Test
    void duplicateKeepsTheFirstLocation() {
        Random random = new Random(1);
        BlobId id = RepositoryFixture.randomId(random);
        PackId a = PackId.of(RepositoryFixture.randomBytes(random, 32));
        PackId b = PackId.of(RepositoryFixture.randomBytes(random, 32));
        Index index = new Index(0);
        assertTrue(index.add(new IndexEntry(id, BlobKind.DATA, a, 8, 10)));
        assertFalse(index.add(new IndexEntry(id, BlobKind.DATA, b, 100, 10)));
        assertEquals(a, index.lookup(id).pack());
        assertEquals(1, index.size());
        assertNull(index.lookup(RepositoryFixture.randomId(random)));
    }

    @Test
    void iterationIsInInsertionOrderAndOffsetsUseAllThirtyTwoBits() {
        Random random = new Random(2);
        PackId pack = PackId.of(RepositoryFixture.randomBytes(random, 32));
        List<IndexEntry> added = new ArrayList<>();
        Index index = new Index(1);
        for (int i = 0; i < 100; i++) {
            IndexEntry e = new IndexEntry(RepositoryFixture.randomId(random), i % 2 == 0 ? BlobKind.DATA : BlobKind.TREE,
                    pack, 0xFFFF_0000L + i, i);
            added.add(e);
            index.add(e);
        }
        List<IndexEntry> seen = new ArrayList<>();
        Iterator<IndexEntry> it = index.iterator();
        it.forEachRemaining(seen::add);
        assertEquals(added, seen);
        IndexEntry tooFar = new IndexEntry(RepositoryFixture.randomId(random), BlobKind.DATA, pack, 1L << 32, 1);
        assertThrows(IllegalArgumentException.class, () -> index.add(tooFar));
    }

    private static IndexEntry entry(byte[] idBytes, int i, PackId[] packs) {
        return new IndexEntry(BlobId.read(idBytes, i * 32), i % 3 == 0 ? BlobKind.TREE : BlobKind.DATA,
                packs[i % packs.length], 8 + (long) i * 17 % 16_000_000, i % 1_000_000);
    }

    private static long usedAfterGc(Runtime rt) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
