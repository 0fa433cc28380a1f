package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.scan.ScanRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** A changed file rebuilt from the receiver's basis plus new bytes; readers see the old file until commit. */
class MirrorDeltaTest {

    @TempDir
    Path tmp;

    static FileMeta regular(long size, long mtime) {
        return new FileMeta(FileKind.REGULAR, 0640, 0, 0, size, mtime, mtime, 0, 0, 0, 1, 0, null, null);
    }

    @ParameterizedTest
    @EnumSource(MirrorOptions.Layout.class)
    void aFileIsRebuiltFromItsBasisAndTheNewBytes(MirrorOptions.Layout layout) throws IOException {
        Path target = tmp.resolve("target");
        MirrorOptions options = new MirrorOptions(layout, true, ScanRules.all(), false, false, 0, MirrorLimits.DEFAULT);
        byte[] old = TreeFixture.random(1 << 20, 5);
        String first;
        try (MirrorTarget t = MirrorTarget.open(target, options, MirrorSnapshotsTest.at(Duration.ZERO))) {
            try (MirrorTarget.FileWriter w = t.file("f".getBytes(StandardCharsets.US_ASCII), regular(old.length, 1_000))) {
                w.write(ByteBuffer.wrap(old));
                w.commit();
            }
            first = t.finish().finalTree();
        }
        Path oldFile = target.resolve(first).resolve("f");
        byte[] inserted = "INSERTED".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.write(old, 0, 300_000);
        want.write(inserted);
        want.write(old, 300_000, old.length - 300_000);

        MirrorTargetStats stats;
        try (MirrorTarget t = MirrorTarget.open(target, options, MirrorSnapshotsTest.at(Duration.ofMinutes(1)))) {
            byte[] f = "f".getBytes(StandardCharsets.US_ASCII);
            try (MirrorTarget.Basis basis = t.basis(f).orElseThrow()) {
                assertEquals(old.length, basis.meta().size());
                assertEquals(1_000, basis.meta().mtimeNanos());
                ByteBuffer head = ByteBuffer.allocate(16);
                basis.read(head, 0);
                assertArrayEquals(java.util.Arrays.copyOf(old, 16), head.array());
            }
            try (MirrorTarget.FileWriter w = t.file(f, regular(want.size(), 2_000))) {
                w.copyFromBasis(0, 300_000);
                w.write(ByteBuffer.wrap(inserted));
                w.copyFromBasis(300_000, old.length - 300_000);
                assertEquals(want.size(), w.position());
                assertArrayEquals(old, Files.readAllBytes(oldFile), "a reader sees the old file until commit");
                w.commit();
            }
            stats = t.finish();
        }
        assertArrayEquals(want.toByteArray(), Files.readAllBytes(target.resolve(stats.finalTree()).resolve("f")));
        assertEquals(old.length, stats.bytesCopiedFromBasis());
        assertEquals(1, stats.filesWritten());
        if (layout == MirrorOptions.Layout.SNAPSHOTS) {
            assertArrayEquals(old, Files.readAllBytes(oldFile), "the previous snapshot is untouched");
        }
    }
}
