package dev.sluice.benchmark.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.benchmark.SampleData;
import dev.sluice.engine.compress.DecompressionException;
import dev.sluice.engine.crypto.BlobAuthenticationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs every stage benchmark method once, directly (not through JMH), on small inputs, so none of them rots. */
final class StageBenchmarksTest {

    @Test
    void chunkerCutsTheWholeBuffer() {
        ChunkerBenchmark b = new ChunkerBenchmark();
        b.params = "256/1024/8192";
        b.dataMib = 4;
        b.setUp();
        int chunks = b.cut();
        assertTrue(chunks >= 1 && chunks <= 16, "4 MiB at a 256 KiB minimum gives 1 to 16 chunks, got " + chunks);
    }

    @Test
    void theMirrorTargetWritesAThousandFilesPerInvocation() throws IOException {
        MirrorTargetBenchmark b = new MirrorTargetBenchmark();
        b.setUp();
        try {
            assertEquals(MirrorTargetBenchmark.FILES, b.newFiles().filesWritten());
            assertEquals(MirrorTargetBenchmark.FILES, b.newFiles().filesWritten());
        } finally {
            b.tearDown();
        }
    }

    @Test
    void chunkIdIs32Bytes() {
        ChunkIdBenchmark b = new ChunkIdBenchmark();
        b.size = 4096;
        b.setUp();
        assertEquals(32, b.id().length);
    }

    @Test
    void compressionRoundTripsRandomAndText() throws DecompressionException {
        for (String data : new String[] {"random", "text"}) {
            CompressionBenchmark b = new CompressionBenchmark();
            b.data = data;
            b.size = 64 * 1024;
            b.setUp();
            try {
                byte[] framed = b.compress();
                assertTrue("text".equals(data) ? framed.length < b.size / 2 : framed.length == b.size + 1,
                        data + " compressed to " + framed.length + " bytes");
                assertArrayEquals(SampleData.named(data, b.size, 6), b.decompress());
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void sealAndOpen() throws BlobAuthenticationException {
        SealBenchmark b = new SealBenchmark();
        b.size = 8192;
        b.warmupMillis = 0;
        b.smallWarmupMessages = 2;
        b.setUp();
        assertEquals(8192 + 40, b.seal().length);
        assertEquals(8192, b.open().length);
    }

    @Test
    void frameCodecEncodesAndDecodesWithoutLeaks() {
        for (int frameSize : new int[] {16 * 1024, 64 * 1024}) {
            FrameCodecBenchmark b = new FrameCodecBenchmark();
            b.frameSize = frameSize;
            b.totalBytes = 256 * 1024;
            b.setUp();
            try {
                long frames = b.totalBytes / frameSize;
                assertEquals(b.totalBytes + frames * 6, b.encode());
                assertEquals(b.totalBytes, b.decode());
                assertEquals(b.totalBytes, b.decode());
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void packWriterFinishesPacksAndCleansUp(@TempDir Path tmp) throws IOException {
        String old = System.setProperty("sluice.bench.tmpdir", tmp.toString());
        try {
            PackWriterBenchmark b = new PackWriterBenchmark();
            b.size = 1024;
            b.setUp();
            for (int i = 0; i < PackWriterBenchmark.BLOBS_PER_PACK + 3; i++) {
                assertTrue(b.add() > 0);
            }
            assertEquals(1, countPacks(tmp));
            b.deletePacks();
            assertEquals(0, countPacks(tmp));
            b.tearDown();
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(0, left.count(), "benchmark directory left behind");
            }
        } finally {
            restore("sluice.bench.tmpdir", old);
        }
    }

    @Test
    void indexLookupFindsPresentAndNotAbsent() {
        IndexLookupBenchmark b = new IndexLookupBenchmark();
        b.entries = 20_000;
        b.setUp();
        assertEquals((long) IndexLookupBenchmark.PROBES * 1_048_616, b.lookupPresent());
        assertEquals(IndexLookupBenchmark.PROBES, b.containsPresent());
        assertEquals(0, b.containsAbsent());
        IndexFixture.Memory m = IndexFixture.measure(20_000);
        assertEquals(20_000, m.entries());
        assertTrue(m.estimatedPerEntry() > 45 && m.estimatedPerEntry() < 120, "estimate " + m.estimatedPerEntry());
    }

    @Test
    void wholeBackupRunsInProcess(@TempDir Path tmp) throws IOException {
        String old = System.setProperty("sluice.bench.tmpdir", tmp.toString());
        try {
            BackupBenchmark b = new BackupBenchmark();
            b.treeMib = 16;
            b.setUp();
            b.newRepository();
            assertEquals(0, b.backup());
            b.deleteRepository();
            b.tearDown();
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(0, left.count(), "benchmark directory left behind");
            }
        } finally {
            restore("sluice.bench.tmpdir", old);
        }
    }

    @Test
    void backupTreeHasExactlyTheRequestedSize(@TempDir Path tmp) throws IOException {
        assertEquals(16L * SampleData.MIB, BackupTree.write(tmp.resolve("t"), 16));
        try (Stream<Path> files = Files.walk(tmp.resolve("t"))) {
            assertEquals(4 + BackupTree.SMALL_FILES, files.filter(Files::isRegularFile).count());
        }
        assertNotNull(tmp);
    }

    private static long countPacks(Path tmp) throws IOException {
        try (Stream<Path> files = Files.walk(tmp)) {
            return files.filter(p -> Files.isRegularFile(p) && tmp.relativize(p).toString().contains("/repo/data/"))
                    .count();
        }
    }

    private static void restore(String property, String old) {
        if (old == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, old);
        }
    }
}
