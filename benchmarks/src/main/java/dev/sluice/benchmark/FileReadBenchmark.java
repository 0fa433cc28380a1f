package dev.sluice.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Page-cache read speed: a 256 MiB file read start to end through a FileChannel into one reused
 * 1 MiB buffer (direct or heap); one invocation reads the whole file and counts as 256 ops of 1 MiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FileReadBenchmark {

    /** Size of the file read per invocation, in MiB; keep equal to the OperationsPerInvocation below. */
    static final int FILE_MIB = 256;

    @Param({"direct", "heap"})
    public String buffer;

    private Path dir;
    private Path file;
    private ByteBuffer target;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String base = System.getProperty("sluice.bench.tmpdir", System.getProperty("java.io.tmpdir"));
        dir = Files.createTempDirectory(Path.of(base), "sluice-fileread");
        file = dir.resolve("data.bin");
        byte[] block = SampleData.random(SampleData.MIB, 9);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < FILE_MIB; i++) {
                block[0] = (byte) i;
                ByteBuffer src = ByteBuffer.wrap(block);
                while (src.hasRemaining()) {
                    out.write(src);
                }
            }
        }
        target = "direct".equals(buffer) ? ByteBuffer.allocateDirect(SampleData.MIB) : ByteBuffer.allocate(SampleData.MIB);
        readAll();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @Benchmark
    @OperationsPerInvocation(FILE_MIB)
    public long readFile() {
        return readAll();
    }

    private long readAll() {
        long total = 0;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                target.clear();
                int n = in.read(target);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Reading benchmark file " + file + " failed", e);
        }
        if (total != (long) FILE_MIB * SampleData.MIB) {
            throw new IllegalStateException("Read " + total + " bytes from " + file + ", expected " + FILE_MIB + " MiB.");
        }
        return total;
    }
}
