package dev.sluice.benchmark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Page-cache write speed: a new 16 MiB file written through a FileChannel from one 1 MiB heap
 * buffer, then ({@code sync=fsync}) forced to disk, then deleted; one invocation = 16 ops of 1 MiB.
 * The fsync variant is what a pack of the default 16 MiB target costs the disk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FileWriteBenchmark {

    /** Size of the file written per invocation, in MiB; keep equal to the OperationsPerInvocation below. */
    static final int FILE_MIB = 16;

    @Param({"none", "fsync"})
    public String sync;

    private Path dir;
    private ByteBuffer block;
    private long counter;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String base = System.getProperty("sluice.bench.tmpdir", System.getProperty("java.io.tmpdir"));
        Files.createDirectories(Path.of(base));
        dir = Files.createTempDirectory(Path.of(base), "sluice-filewrite");
        block = ByteBuffer.wrap(SampleData.random(SampleData.MIB, 10));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(dir);
    }

    @Benchmark
    @OperationsPerInvocation(FILE_MIB)
    public long writeFile() throws IOException {
        Path file = dir.resolve("data-" + (counter++) + ".bin");
        long total = 0;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < FILE_MIB; i++) {
                block.clear();
                while (block.hasRemaining()) {
                    total += out.write(block);
                }
            }
            if ("fsync".equals(sync)) {
                out.force(true);
            }
        }
        Files.delete(file);
        return total;
    }
}
