package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ContentAppender}: the same file and the same holes whether bytes come in arrays or direct buffers. */
class ContentAppenderTest {
    private static final int BLOCK = ContentAppender.BLOCK;

    @TempDir
    Path dir;

    /** Random bytes with aligned zero blocks (three in a row, one alone, the last whole one) and an unaligned zero run. */
    private static byte[] content(int size) {
        byte[] b = new byte[size];
        new Random(7).nextBytes(b);
        Arrays.fill(b, 3 * BLOCK, 6 * BLOCK, (byte) 0);
        Arrays.fill(b, 300 * BLOCK, 301 * BLOCK, (byte) 0);
        Arrays.fill(b, 200 * BLOCK + 17, 202 * BLOCK + 5, (byte) 0);
        int lastWhole = size / BLOCK - 1;
        Arrays.fill(b, lastWhole * BLOCK, (lastWhole + 1) * BLOCK, (byte) 0);
        return b;
    }

    /** Bytes in aligned blocks that are not all zero (an incomplete last block always counts). */
    private static long dataBytes(byte[] b) {
        long n = 0;
        for (int at = 0; at < b.length; at += BLOCK) {
            int end = Math.min(b.length, at + BLOCK);
            boolean zero = end - at == BLOCK && Arrays.mismatch(b, at, end, new byte[BLOCK], 0, BLOCK) == -1;
            n += zero ? 0 : end - at;
        }
        return n;
    }

    private enum Source { ARRAY, DIRECT, MIXED }

    private void writeAndCheck(String name, byte[] b, Source source, long seed) throws IOException {
        Path f = dir.resolve(name);
        Random r = new Random(seed);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ContentAppender a = new ContentAppender(ch, b.length);
            int at = 0;
            while (at < b.length) {
                int n = Math.min(b.length - at, r.nextInt(3) == 0 ? 1 + r.nextInt(64) : 1 + r.nextInt(300_000));
                boolean direct = source == Source.DIRECT || source == Source.MIXED && r.nextBoolean();
                if (direct) {
                    ByteBuffer d = ByteBuffer.allocateDirect(n + 16);
                    d.position(16);
                    d.put(b, at, n).flip().position(16);
                    a.write(d);
                    assertEquals(d.limit(), d.position(), "the buffer is consumed");
                } else if (r.nextBoolean()) {
                    a.write(b, at, n);
                } else {
                    a.write(ByteBuffer.wrap(b, at, n));
                }
                at += n;
                assertEquals(at, a.position());
            }
            assertEquals(b.length, a.finish());
            assertEquals(dataBytes(b), a.dataBytesWritten(), source + ": bytes written as data (zero blocks are holes)");
        }
        assertArrayEquals(b, Files.readAllBytes(f), source + ": content");
    }

    @Test
    void directBuffersArraysAndMixturesGiveTheSameFileAndHoles() throws IOException {
        byte[] b = content(5 * 1024 * 1024 + 123);
        for (Source s : Source.values()) {
            for (long seed = 1; seed <= 3; seed++) {
                writeAndCheck(s + "-" + seed, b, s, seed);
            }
        }
    }

    @Test
    void aFileEndingInAZeroBlockHasItsFullLength() throws IOException {
        byte[] b = new byte[4 * BLOCK];
        new Random(3).nextBytes(b);
        Arrays.fill(b, 2 * BLOCK, 4 * BLOCK, (byte) 0);
        writeAndCheck("tail", b, Source.DIRECT, 1);
        assertEquals(b.length, Files.size(dir.resolve("tail")));
    }

    @Test
    void aDirectBufferAfterACopyFromTheBasisStartsOffABlockBoundary() throws IOException {
        byte[] basis = new byte[3 * BLOCK + 100];
        new Random(5).nextBytes(basis);
        Path basisFile = dir.resolve("basis");
        Files.write(basisFile, basis);
        byte[] tail = new byte[5 * BLOCK];
        new Random(6).nextBytes(tail);
        Path f = dir.resolve("out");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                FileChannel from = FileChannel.open(basisFile, StandardOpenOption.READ)) {
            ContentAppender a = new ContentAppender(ch, basis.length + tail.length);
            a.copy(from, 0, basis.length);
            a.write(ByteBuffer.allocateDirect(tail.length).put(tail).flip());
            assertEquals(basis.length + tail.length, a.finish());
        }
        byte[] expected = Arrays.copyOf(basis, basis.length + tail.length);
        System.arraycopy(tail, 0, expected, basis.length, tail.length);
        assertArrayEquals(expected, Files.readAllBytes(f));
    }
}
