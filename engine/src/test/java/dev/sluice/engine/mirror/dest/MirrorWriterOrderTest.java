package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.scan.ScanRules;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file still being written when the run moves past its directory (the sender no longer waits for it), sparse
 * content, and copies from a basis handed to the writer.
 */
class MirrorWriterOrderTest {

    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static FileMeta dir(long mtime) {
        return new FileMeta(FileKind.DIRECTORY, 0750, 0, 0, 0, mtime, mtime, 0, 0, 0, 1, 0, null, null);
    }

    private MirrorTarget open(Path target, Duration at) throws IOException {
        MirrorOptions options = new MirrorOptions(MirrorOptions.Layout.IN_PLACE, true, ScanRules.all(), false, false,
                0, MirrorLimits.DEFAULT);
        return MirrorTarget.open(target, options, MirrorSnapshotsTest.at(at));
    }

    @Test
    void aDirectoryLeftWithFilesInFlightGetsItsMtimeWhenTheLastOneIsCommitted() throws IOException {
        Path target = tmp.resolve("target");
        long aTime = 1_700_000_000_000_000_000L;
        try (MirrorTarget t = open(target, Duration.ZERO)) {
            t.directory(b("a"), dir(aTime));
            MirrorTarget.FileWriter w1 = t.file(b("a/f1"), MirrorDeltaTest.regular(3, 5_000));
            MirrorTarget.FileWriter w2 = t.file(b("a/f2"), MirrorDeltaTest.regular(0, 6_000));
            t.directory(b("b"), dir(aTime + 7));
            w1.write(ByteBuffer.wrap(b("abc")));
            w1.commit();
            assertTrue(Files.exists(target.resolve("a/f1")));
            w2.commit();
            t.finish();
        }
        assertEquals(FileTime.from(aTime, TimeUnit.NANOSECONDS),
                Files.getLastModifiedTime(target.resolve("a"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(FileTime.from(aTime + 7, TimeUnit.NANOSECONDS),
                Files.getLastModifiedTime(target.resolve("b"), LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals(b("abc"), Files.readAllBytes(target.resolve("a/f1")));
        assertEquals(0, Files.size(target.resolve("a/f2")));
    }

    @Test
    void zeroBlocksBecomeHolesAndCopiesComeFromTheGivenBasis() throws IOException {
        Path target = tmp.resolve("target");
        byte[] old = TreeFixture.random(300_000, 9);
        try (MirrorTarget t = open(target, Duration.ZERO)) {
            try (MirrorTarget.FileWriter w = t.file(b("f"), MirrorDeltaTest.regular(old.length, 1_000))) {
                w.write(ByteBuffer.wrap(old));
                w.commit();
            }
            t.finish();
        }
        byte[] zeros = new byte[4 << 20];
        byte[] want = new byte[1 + zeros.length + 100_000 + 5];
        want[0] = 7;
        System.arraycopy(old, 50_000, want, 1 + zeros.length, 100_000);
        MirrorTargetStats stats;
        try (MirrorTarget t = open(target, Duration.ofMinutes(1))) {
            try (MirrorTarget.Basis basis = t.basis(b("f")).orElseThrow();
                 MirrorTarget.FileWriter w = t.file(b("f"), MirrorDeltaTest.regular(want.length, 2_000))) {
                w.write(ByteBuffer.wrap(new byte[] {7}));
                w.write(ByteBuffer.wrap(zeros));
                w.copyFromBasis(basis, 50_000, 100_000);
                w.write(ByteBuffer.wrap(new byte[5]));
                assertEquals(want.length, w.position());
                assertTrue(basis.unchanged());
                w.commit();
            }
            stats = t.finish();
        }
        Path f = target.resolve("f");
        assertArrayEquals(want, Files.readAllBytes(f));
        long allocated = blocks(f);
        assertTrue(allocated < 1 << 20, "the 4 MiB of zeros are holes, " + allocated + " bytes allocated");
        assertEquals(100_000, stats.bytesCopiedFromBasis());
    }

    @Test
    void aBasisWrittenAfterItWasOpenedIsNoLongerUnchanged() throws Exception {
        Path target = tmp.resolve("target");
        try (MirrorTarget t = open(target, Duration.ZERO)) {
            try (MirrorTarget.FileWriter w = t.file(b("f"), MirrorDeltaTest.regular(3, 1_000))) {
                w.write(ByteBuffer.wrap(b("abc")));
                w.commit();
            }
            t.finish();
        }
        try (MirrorTarget t = open(target, Duration.ofMinutes(1));
             MirrorTarget.Basis basis = t.basis(b("f")).orElseThrow()) {
            assertTrue(basis.unchanged());
            Files.write(target.resolve("f"), b("abcd"));
            assertFalse(basis.unchanged());
            t.abort();
        }
    }

    private static long blocks(Path f) throws IOException {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", f.toString()).redirectErrorStream(true).start();
        String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split(" ");
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running stat", e);
        }
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }
}
