package dev.sluice.engine.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.repository.BlobId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference list collector: sorted and unique from memory or from runs on disk, which it removes. */
class RefCollectorTest {
    @TempDir
    Path tmp;

    private static BlobId id(Random r) {
        byte[] b = new byte[BlobId.LENGTH];
        r.nextBytes(b);
        return BlobId.of(b);
    }

    private static List<BlobId> all(Iterator<BlobId> it) {
        List<BlobId> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void manyIdsInRandomOrderWithDuplicatesComeOutSortedAndUniqueThroughRunsOnDisk() throws Exception {
        Random r = new Random(3);
        TreeSet<BlobId> expected = new TreeSet<>();
        List<BlobId> pool = new ArrayList<>();
        try (RefCollector refs = new RefCollector(64, () -> tmp)) {
            for (int i = 0; i < 10_000; i++) {
                BlobId id = pool.isEmpty() || r.nextInt(4) != 0 ? id(r) : pool.get(r.nextInt(pool.size()));
                pool.add(id);
                expected.add(id);
                refs.add(id);
            }
            assertTrue(refs.spilled(), "10,000 ids with runs of 64 went to disk");
            assertEquals(new ArrayList<>(expected), all(refs.sortedUnique()));
            assertEquals(new ArrayList<>(expected), all(refs.sortedUnique()), "a second pass reads the same");

            // ids added after a merge (some already known) join the next pass
            for (int i = 0; i < 500; i++) {
                BlobId id = r.nextBoolean() ? id(r) : pool.get(r.nextInt(pool.size()));
                expected.add(id);
                refs.add(id);
            }
            List<BlobId> two = new ArrayList<>();
            RefCollector.difference(refs.sortedUnique(), List.<BlobId>of().iterator(), two, new ArrayList<>());
            assertEquals(new ArrayList<>(expected), two);
            try (Stream<Path> files = Files.list(tmp)) {
                assertEquals(1, files.count(), "one private directory holds the runs");
            }
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(0, files.count(), "close removed the runs and their directory");
        }
    }

    @Test
    void aSmallListStaysInMemory() {
        Random r = new Random(4);
        try (RefCollector refs = new RefCollector(1 << 10, () -> tmp)) {
            TreeSet<BlobId> expected = new TreeSet<>();
            for (int i = 0; i < 300; i++) {
                BlobId id = id(r);
                expected.add(id);
                refs.add(id);
                refs.add(id);
            }
            assertEquals(new ArrayList<>(expected), all(refs.sortedUnique()));
            assertFalse(refs.spilled(), "600 adds of 300 ids fit the run of 1,024");
        }
    }
}
