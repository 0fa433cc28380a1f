package dev.sluice.engine.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseFileWriterTest {

    @TempDir
    Path tmp;

    @Test
    void oneGibWithThreeIslandsWritesOnlyTheirBlocks() throws IOException {
        long size = 1L << 30;
        byte[] a = TreeFixture.random(10, 1);
        byte[] b = TreeFixture.random(10_000, 2);
        long bAt = 300L * 1024 * 1024 + 17;
        Path f = tmp.resolve("sparse");
        long written;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            SparseFileWriter w = new SparseFileWriter(ch);
            byte[] zeros = new byte[1 << 20];
            w.write(a, 0, a.length);
            writeZeros(w, zeros, bAt - a.length);
            w.write(b, 0, b.length);
            writeZeros(w, zeros, size - bAt - b.length);
            assertEquals(size, w.finish());
            written = w.dataBytesWritten();
        }
        assertEquals(size, Files.size(f));
        assertEquals(4096 + 3 * 4096, written, "block 0 and the three blocks holding b");
        long allocated = TreeAssert.allocatedBytes(f);
        assertTrue(allocated <= 64 * 1024, "1 GiB sparse file allocates " + allocated + " bytes");
        assertArrayEquals(a, read(f, 0, a.length));
        assertArrayEquals(b, read(f, bAt, b.length));
        assertArrayEquals(new byte[100], read(f, bAt - 100, 100));
        assertArrayEquals(new byte[100], read(f, size - 100, 100));
    }

    @Test
    void oddWriteSizesAndAZeroBlockBetweenDataKeepContent() throws IOException {
        byte[] content = new byte[5 * 4096 + 123];
        byte[] r = TreeFixture.random(content.length, 9);
        System.arraycopy(r, 0, content, 0, 4096);
        System.arraycopy(r, 0, content, 3 * 4096 + 5, 2000);
        content[content.length - 1] = 1;
        Path f = tmp.resolve("odd");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            SparseFileWriter w = new SparseFileWriter(ch);
            for (int off = 0; off < content.length; off += 777) {
                w.write(content, off, Math.min(777, content.length - off));
            }
            w.finish();
            assertEquals(4096 + 4096 + 123, w.dataBytesWritten(), "blocks 0 and 3 and the tail; 1, 2 and 4 are holes");
        }
        assertArrayEquals(content, Files.readAllBytes(f));
    }

    @Test
    void finishShrinksAnExistingLongerFile() throws IOException {
        Path f = Files.write(tmp.resolve("longer"), TreeFixture.random(50_000, 3));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            SparseFileWriter w = new SparseFileWriter(ch);
            w.write(new byte[] {1, 2, 3}, 0, 3);
            w.finish();
        }
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
    }

    private static void writeZeros(SparseFileWriter w, byte[] zeros, long n) throws IOException {
        while (n > 0) {
            int k = (int) Math.min(zeros.length, n);
            w.write(zeros, 0, k);
            n -= k;
        }
    }

    private static byte[] read(Path f, long at, int len) throws IOException {
        try (FileChannel ch = FileChannel.open(f)) {
            ByteBuffer buf = ByteBuffer.allocate(len);
            while (buf.hasRemaining() && ch.read(buf, at + buf.position()) > 0) {
                // keep reading
            }
            return buf.array();
        }
    }
}
