package dev.sluice.benchmark.stage;

import dev.sluice.benchmark.SampleData;
import dev.sluice.engine.crypto.BlobSealer;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.PackId;
import dev.sluice.engine.repository.PackInfo;
import dev.sluice.engine.repository.PackWriter;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositorySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The store stage: {@link PackWriter#add} of sealed 1 MiB blobs into a repository in a temporary
 * directory, finishing the pack every 16 blobs (the default 16 MiB pack target); one op = one
 * blob of 1 MiB plaintext (1 MiB + 40 bytes sealed). Finishing writes the trailer, <b>fsyncs</b>
 * and renames, so this measures the disk as well as the writer (which also hashes every byte with
 * SHA-256 for the pack id). Limits: {@code FileWriteBenchmark} (page-cache write, with and without
 * an fsync every 16 MiB) and {@code DigestBenchmark.sha256}. Finished packs are deleted after each iteration.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PackWriterBenchmark {

    /** Blobs per pack: 16 x 1 MiB, the repository's default pack target size. */
    static final int BLOBS_PER_PACK = 16;

    int size = SampleData.MIB;
    private Path dir;
    private Repository repository;
    private byte[] sealed;
    private PackWriter writer;
    private long counter;
    private final List<PackId> finished = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String base = System.getProperty("sluice.bench.tmpdir", System.getProperty("java.io.tmpdir"));
        Files.createDirectories(Path.of(base));
        dir = Files.createTempDirectory(Path.of(base), "sluice-packwriter");
        repository = Repository.init(dir.resolve("repo"), RepositorySettings.createDefault(Clock.systemUTC(),
                new SecureRandom()));
        sealed = SampleData.random(size + BlobSealer.OVERHEAD, 16);
    }

    @TearDown(Level.Iteration)
    public void deletePacks() throws IOException {
        if (writer != null) {
            finished.add(writer.finish().id());
            writer = null;
        }
        repository.deletePacks(finished);
        finished.clear();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        repository.close();
        deleteTree(dir);
    }

    /** Adds one blob; finishes the pack after every 16th. Returns the pack's size so far. */
    @Benchmark
    public long add() throws IOException {
        if (writer == null) {
            writer = repository.newPackWriter();
        }
        long n = ++counter;
        byte[] id = new byte[BlobId.LENGTH];
        for (int i = 0; i < 8; i++) {
            id[i] = (byte) (n >>> (56 - 8 * i));
        }
        writer.add(BlobId.of(id), BlobKind.DATA, sealed, 0, sealed.length);
        long packSize = writer.size();
        if (writer.count() == BLOBS_PER_PACK) {
            PackInfo info = writer.finish();
            finished.add(info.id());
            writer = null;
        }
        return packSize;
    }

    /** Deletes {@code dir} and everything under it. */
    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Deleting benchmark directory " + dir + " failed", e);
        }
    }
}
