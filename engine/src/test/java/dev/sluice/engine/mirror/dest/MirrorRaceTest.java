package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.scan.ScanRules;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The race harness: while the receiver writes many files, another thread keeps swapping a directory of the
 * target for a symlink to a directory outside it and back. Nothing may ever appear outside.
 */
class MirrorRaceTest {

    private static final int RUNS = 8;

    @TempDir
    Path tmp;

    /** Swaps {@code dir} for a symlink to {@code outside} and back, as fast as it can, until stopped. */
    static final class Swapper extends Thread {
        private final Path parentOfDir;
        private final String name;
        private final Path outside;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong swaps = new AtomicLong();

        Swapper(Path parentOfDir, String name, Path outside) {
            super("symlink-swapper");
            this.parentOfDir = parentOfDir;
            this.name = name;
            this.outside = outside;
            setDaemon(true);
        }

        @Override
        public void run() {
            Path dir = parentOfDir.resolve(name);
            Path aside = parentOfDir.resolve(name + ".aside");
            while (!stop.get()) {
                try {
                    Files.move(dir, aside);
                    try {
                        Files.createSymbolicLink(dir, outside);
                        Thread.onSpinWait();
                        Files.delete(dir);
                    } finally {
                        Files.move(aside, dir);
                    }
                    swaps.incrementAndGet();
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                } catch (IOException e) {
                    // the receiver or the previous round changed the directory meanwhile: expected in a race; go on
                    Thread.onSpinWait();
                }
            }
        }

        void finish() throws InterruptedException {
            stop.set(true);
            join(10_000);
        }
    }

    static FileMeta dir() {
        return MirrorTargetRefusalTest.meta(FileKind.DIRECTORY, 0);
    }

    static long outsideEntries(Path outside) throws IOException {
        try (Stream<Path> s = Files.list(outside)) {
            return s.count();
        }
    }

    @ParameterizedTest
    @EnumSource(MirrorOptions.Layout.class)
    void nothingAppearsOutsideWhileADirectoryIsSwappedForASymlink(MirrorOptions.Layout layout) throws Exception {
        Path target = Files.createDirectory(tmp.resolve("target"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        MirrorOptions options = new MirrorOptions(layout, true, ScanRules.all(), false, false, 2, MirrorLimits.DEFAULT);
        Files.setAttribute(outside, "unix:mode", 0711);
        Object outsideMtime = Files.getAttribute(outside, "unix:lastModifiedTime");
        long completed = 0;
        long failed = 0;
        long swaps = 0;
        for (int run = 0; run < RUNS; run++) {
            Clock clock = Clock.fixed(MirrorSnapshotsTest.T0.plus(Duration.ofMinutes(run)), java.time.ZoneOffset.UTC);
            try (MirrorTarget t = MirrorTarget.open(target, options, clock)) {
                Path tree = layout == MirrorOptions.Layout.IN_PLACE ? target
                        : target.resolve(".partial-" + TargetRun.NAME_FORMAT.format(clock.instant()));
                Swapper swapper = new Swapper(tree, "d", outside);
                boolean lookupRaces = run % 2 == 1;
                if (lookupRaces) {
                    swapper.start();
                }
                try {
                    // in odd runs the swapper already runs while the receiver looks up and enters "d"
                    t.directory("d".getBytes(StandardCharsets.US_ASCII), dir());
                    if (!lookupRaces) {
                        swapper.start();
                    }
                    writeMany(t);
                    t.finish();
                    completed++;
                } catch (IOException e) {
                    failed++;
                } finally {
                    swapper.finish();
                    swaps += swapper.swaps.get();
                }
            }
            assertEquals(0, outsideEntries(outside), "run " + run + " wrote outside the target");
            assertEquals(0711, (Integer) Files.getAttribute(outside, "unix:mode") & 07777,
                    "run " + run + " changed the mode of the directory outside");
            assertEquals(outsideMtime, Files.getAttribute(outside, "unix:lastModifiedTime"),
                    "run " + run + " changed the times of the directory outside");
        }
        assertTrue(swaps > 0, "the swapper never managed a swap");
        assertEquals(RUNS, completed + failed, completed + " runs completed, " + failed + " failed");
    }

    private static void writeMany(MirrorTarget t) throws IOException {
        t.directory("d/e".getBytes(StandardCharsets.US_ASCII), dir());
        for (int i = 0; i < 80; i++) {
            byte[] content = ("file " + i).getBytes(StandardCharsets.US_ASCII);
            try (MirrorTarget.FileWriter w = t.file(("d/e/f" + (1000 + i)).getBytes(StandardCharsets.US_ASCII),
                    MirrorTargetRefusalTest.meta(FileKind.REGULAR, content.length))) {
                w.write(ByteBuffer.wrap(content));
                w.commit();
            }
        }
        for (int i = 0; i < 80; i++) {
            byte[] content = ("file " + i).getBytes(StandardCharsets.US_ASCII);
            try (MirrorTarget.FileWriter w = t.file(("d/g" + (1000 + i)).getBytes(StandardCharsets.US_ASCII),
                    MirrorTargetRefusalTest.meta(FileKind.REGULAR, content.length))) {
                w.write(ByteBuffer.wrap(content));
                w.commit();
            }
        }
    }

    /** The control: the same swapper does make a naive path-following writer write outside, so the harness can fail. */
    @Test
    void theHarnessCatchesAWriterThatFollowsPaths() throws Exception {
        Path target = Files.createDirectory(tmp.resolve("target"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.createDirectory(target.resolve("d"));
        Swapper swapper = new Swapper(target, "d", outside);
        swapper.start();
        try {
            for (int i = 0; i < 20_000 && outsideEntries(outside) == 0; i++) {
                try {
                    Files.writeString(target.resolve("d/f" + i), "naive");
                } catch (IOException e) {
                    // the directory was moved aside at that moment
                }
            }
        } finally {
            swapper.finish();
        }
        assertTrue(outsideEntries(outside) > 0, "a path-following writer should have been fooled at least once");
        assertFalse(Files.isSymbolicLink(target.resolve("d")));
        assertTrue(Files.isDirectory(target.resolve("d"), LinkOption.NOFOLLOW_LINKS));
    }
}
