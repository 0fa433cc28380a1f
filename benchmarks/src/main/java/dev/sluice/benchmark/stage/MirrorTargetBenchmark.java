package dev.sluice.benchmark.stage;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.engine.mirror.dest.MirrorTargetStats;
import dev.sluice.engine.scan.ScanRules;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The mirror receiver's work per new small file ({@link MirrorTarget}, in-place layout, what a first mirror does
 * 50,000 times for the compare data set): a temporary file is created, 4 KiB are written, its metadata is applied
 * and it is renamed into place. One invocation = 1,000 files into a new target directory, then the run's finish.
 * The targets go to tmpfs ({@code /dev/shm} when it exists): the number is the receiver's own work and its system
 * calls, not the disk file system's inode allocator, which on ext4 slows down for minutes after a mass deletion
 * (docs/mirror.md, "Fairness") and would make the deletions between iterations the main effect.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(jvmArgsPrepend = {"--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED"})
public class MirrorTargetBenchmark {

    static final int FILES = 1000;
    static final MirrorOptions OPTIONS = new MirrorOptions(MirrorOptions.Layout.IN_PLACE, true, ScanRules.all(), false,
            false, 0, MirrorLimits.DEFAULT);

    private Path base;
    private byte[][] names;
    private ByteBuffer content;
    private FileMeta file;
    private FileMeta root;
    private long targets;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path parent = Files.isDirectory(shm) && Files.isWritable(shm) ? shm
                : Path.of(System.getProperty("sluice.bench.tmpdir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(parent);
        base = Files.createTempDirectory(parent, "sluice-mirrortarget");
        names = new byte[FILES][];
        for (int i = 0; i < FILES; i++) {
            names[i] = String.format("f%04d.bin", i).getBytes(StandardCharsets.UTF_8);
        }
        content = ByteBuffer.allocateDirect(4096);
        byte[] bytes = new byte[4096];
        new java.util.Random(7).nextBytes(bytes);
        content.put(bytes).flip();
        long mtime = 1_700_000_000_123_456_789L;
        int uid = (int) Files.getAttribute(base, "unix:uid");
        int gid = (int) Files.getAttribute(base, "unix:gid");
        file = new FileMeta(FileKind.REGULAR, 0644, uid, gid, 4096, mtime, mtime, mtime, 0, 0, 1, 0, null, List.of());
        root = new FileMeta(FileKind.DIRECTORY, 0755, uid, gid, 0, mtime, mtime, mtime, 0, 0, 2, 0, null, List.of());
    }

    @TearDown(Level.Iteration)
    public void emptyBase() throws IOException {
        PackWriterBenchmark.deleteTree(base);
        Files.createDirectory(base);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        PackWriterBenchmark.deleteTree(base);
    }

    @Benchmark
    @OperationsPerInvocation(FILES)
    public MirrorTargetStats newFiles() throws IOException {
        Path dir = base.resolve("t" + (targets++));
        try (MirrorTarget t = MirrorTarget.open(dir, OPTIONS, Clock.systemUTC(), Optional.empty())) {
            t.directory(new byte[0], root);
            for (byte[] name : names) {
                try (MirrorTarget.FileWriter w = t.file(name, file)) {
                    w.write(content.duplicate());
                    w.commit();
                }
            }
            return t.finish();
        }
    }
}
