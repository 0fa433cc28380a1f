package dev.sluice.benchmark.stage;

import dev.sluice.engine.cli.Console;
import dev.sluice.engine.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
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
 * The whole pipeline: {@code sluice backup} run in-process ({@link Main#run}) over a 256 MiB
 * {@link BackupTree} into a fresh local repository per invocation (the repository's {@code init} is
 * not measured); all worker threads of the backup, so on N cores it may use N. One invocation counts
 * as 256 ops of 1 MiB, so the single-shot time per op is seconds per MiB and its inverse is MiB/s.
 * Limit: the page-cache read ({@code FileReadBenchmark}) for the input and, per core, the serial
 * bound 1 / (1/hmac + 1/zstd + 1/gcm) described in the README.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(jvmArgsPrepend = {"-Djdk.nio.maxCachedBufferSize=262144", "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED"})
public class BackupBenchmark {

    int treeMib = BackupTree.DEFAULT_MIB;
    private Path dir;
    private Path tree;
    private Path key;
    private Path repo;
    private int runs;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private Console console;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String base = System.getProperty("sluice.bench.tmpdir", System.getProperty("java.io.tmpdir"));
        Files.createDirectories(Path.of(base));
        dir = Files.createTempDirectory(Path.of(base), "sluice-backup");
        tree = dir.resolve("tree");
        BackupTree.write(tree, treeMib);
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        console = new Console(out, out, Map.of(), false, Clock.systemUTC());
        key = dir.resolve("key");
        sluice("key", "init", "--key-file", key.toString());
    }

    @Setup(Level.Invocation)
    public void newRepository() {
        repo = dir.resolve("repo-" + (runs++));
        sluice("init", "--repo", repo.toString(), "--key-file", key.toString());
    }

    @TearDown(Level.Invocation)
    public void deleteRepository() {
        PackWriterBenchmark.deleteTree(repo);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        PackWriterBenchmark.deleteTree(dir);
    }

    /** Backs up the tree into the fresh repository; returns the exit status (0). */
    @Benchmark
    @OperationsPerInvocation(BackupTree.DEFAULT_MIB)
    public int backup() {
        return sluice("backup", "--repo", repo.toString(), "--key-file", key.toString(), "--quiet",
                "--host", "bench", tree.toString());
    }

    private int sluice(String... args) {
        output.reset();
        int code = Main.run(List.of(args), console);
        if (code != 0) {
            throw new IllegalStateException("sluice " + String.join(" ", args) + " exited with " + code + ":\n"
                    + output.toString(StandardCharsets.UTF_8));
        }
        return code;
    }
}
