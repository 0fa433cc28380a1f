package dev.sluice.engine.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkReaderTest {

    @TempDir
    Path dir;

    @Test
    void reassemblesExactInputForEdgeSizes() throws Exception {
        ChunkerParams p = new ChunkerParams(4096, 16 * 1024, 64 * 1024);
        Chunker chunker = new Chunker(p, GearTable.fromSeed(ChunkerTest.seed(3)));
        int[] sizes = {0, 1, p.min() - 1, p.min(), p.max(), p.max() + 1, 10 * p.max() + 7, (3 << 20) + 5};
        for (int size : sizes) {
            byte[] data = ChunkerTest.random(size, size);
            Path file = dir.resolve("f" + size);
            Files.write(file, data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int count = 0;
            long expectedOffset = 0;
            try (ChunkReader reader = new ChunkReader(FileChannel.open(file, StandardOpenOption.READ), chunker)) {
                while (reader.hasNext()) {
                    Chunk c = reader.next();
                    assertEquals(expectedOffset, c.offset(), "offset of chunk " + count + " for size " + size);
                    assertTrue(c.length() <= p.max());
                    out.write(c.data());
                    expectedOffset += c.length();
                    count++;
                }
                assertThrows(NoSuchElementException.class, reader::next);
            }
            assertArrayEquals(data, out.toByteArray(), "reassembly for size " + size);
            if (size == 0) {
                assertEquals(0, count);
            } else if (size <= p.min()) {
                assertEquals(1, count);
            }
            // Chunks from the reader equal those from cutting the whole array in one go.
            if (size > 0) {
                assertEquals(ChunkerTest.lengths(chunker, data).size(), count, "chunk count for size " + size);
            }
        }
    }

    @Test
    void largeMaxUsesBufferOfTwiceMax() throws Exception {
        ChunkerParams p = new ChunkerParams(1024, 4096, 8192);
        Chunker chunker = new Chunker(p, GearTable.fromSeed(ChunkerTest.seed(9)));
        Path file = dir.resolve("zeros");
        Files.write(file, new byte[5 * 8192]);
        try (ChunkReader reader = new ChunkReader(FileChannel.open(file), chunker)) {
            int n = 0;
            while (reader.hasNext()) {
                Chunk c = reader.next();
                assertTrue(c.isAllZero());
                assertEquals(8192, c.length());
                n++;
            }
            assertEquals(5, n);
            assertFalse(reader.hasNext());
        }
    }
}
