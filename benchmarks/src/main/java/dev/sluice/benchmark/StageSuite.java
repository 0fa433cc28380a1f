package dev.sluice.benchmark;

import dev.sluice.benchmark.stage.IndexFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;

/**
 * Runs the hardware-limit benchmarks and the pipeline stage benchmarks ({@code dev.sluice.benchmark.stage})
 * in one JMH run and writes JMH's JSON plus Markdown: the limit table, then one row per stage with
 * the limit it builds on and the percentage of that limit it reaches, then the index's memory per entry.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.sluice.benchmark.StageSuite [--quick|--full]
 * [--suite all|limits|stages] --json FILE --markdown FILE [--include REGEX]}. Quick mode skips the
 * 10 M-entry index.
 */
public final class StageSuite {

    /** The stage benchmarks. */
    static final String STAGES = "^" + StageSuite.class.getPackageName().replace(".", "\\.") + "\\.stage\\.";

    /** Index sizes whose memory is measured in this JVM after the JMH run, per mode. */
    private static final int[] QUICK_INDEX_SIZES = {1_000_000};
    private static final int[] FULL_INDEX_SIZES = {1_000_000, 10_000_000};

    /**
     * One stage row: what the stage is, the unit of its score, and the limit benchmark it is compared with.
     *
     * @param stage human-readable stage name
     * @param unit {@code MiB/s} or {@code ids/s}
     * @param limit label of the limit benchmark ({@code Class.method params}), or null if none applies
     */
    record Mapping(String stage, String unit, String limit) {}

    private StageSuite() {}

    public static void main(String[] args) throws RunnerException, IOException {
        String mode = "quick";
        String suite = "all";
        Path json = null;
        Path markdown = null;
        String include = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> mode = "quick";
                case "--full" -> mode = "full";
                case "--suite" -> suite = LimitSuite.value(args, ++i, "--suite");
                case "--json" -> json = Path.of(LimitSuite.value(args, ++i, "--json"));
                case "--markdown" -> markdown = Path.of(LimitSuite.value(args, ++i, "--markdown"));
                case "--include" -> include = LimitSuite.value(args, ++i, "--include");
                default -> throw new IllegalArgumentException("Unknown argument '" + args[i] + "'; expected --quick,"
                        + " --full, --suite all|limits|stages, --json FILE, --markdown FILE or --include REGEX.");
            }
        }
        if (json == null || markdown == null) {
            throw new IllegalArgumentException("Both --json FILE and --markdown FILE are required.");
        }
        ChainedOptionsBuilder options = LimitSuite.options(mode, json);
        if (include != null) {
            options.include(include);
        } else {
            switch (suite) {
                case "all" -> options.include(LimitSuite.LIMITS).include(STAGES);
                case "limits" -> options.include(LimitSuite.LIMITS);
                case "stages" -> options.include(STAGES);
                default -> throw new IllegalArgumentException("Unknown suite '" + suite
                        + "'; expected all, limits or stages.");
            }
        }
        if ("quick".equals(mode)) {
            options.param("entries", "1000000");
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        List<RunResult> limits = new ArrayList<>();
        List<RunResult> stages = new ArrayList<>();
        for (RunResult r : results) {
            (r.getParams().getBenchmark().matches(STAGES.substring(1) + ".*") ? stages : limits).add(r);
        }
        StringBuilder out = new StringBuilder();
        if (!limits.isEmpty()) {
            out.append(LimitSuite.markdown(limits, mode)).append('\n');
        }
        if (!stages.isEmpty()) {
            out.append(stageMarkdown(stages, limits, mode));
            if (stages.stream().anyMatch(r -> r.getParams().getBenchmark().contains("IndexLookup"))) {
                List<IndexFixture.Memory> memory = new ArrayList<>();
                for (int n : "quick".equals(mode) ? QUICK_INDEX_SIZES : FULL_INDEX_SIZES) {
                    memory.add(IndexFixture.measure(n));
                }
                out.append('\n').append(indexMemoryMarkdown(memory));
            }
        }
        Files.writeString(markdown, out, StandardCharsets.UTF_8);
        System.out.println();
        System.out.print(out);
    }

    /** The stage and limit for a stage benchmark's label, or null for a benchmark this suite does not know. */
    static Mapping mapping(String name, Map<String, String> params) {
        String data = params.get("data");
        return switch (name) {
            case "ChunkerBenchmark.cut" -> new Mapping("chunker " + params.get("params") + " KiB", "MiB/s",
                    "MemoryBenchmark.arraycopy");
            case "ChunkIdBenchmark.id" -> new Mapping("chunk id (HMAC-SHA-256)", "MiB/s", "DigestBenchmark.hmacSha256");
            case "CompressionBenchmark.compress" -> new Mapping("compress zstd-3, " + data, "MiB/s",
                    "ZstdBenchmark.compress data=" + data + " level=3");
            case "CompressionBenchmark.decompress" -> new Mapping("decompress zstd-3, " + data, "MiB/s",
                    "ZstdBenchmark.decompress data=" + data + " level=3");
            case "SealBenchmark.seal" -> new Mapping("seal (AES-256-GCM)", "MiB/s", "CipherBenchmark.encrypt");
            case "SealBenchmark.open" -> new Mapping("open (AES-256-GCM)", "MiB/s", "CipherBenchmark.decrypt");
            case "FrameCodecBenchmark.encode" -> new Mapping("frame encode, " + kib(params.get("frameSize")),
                    "MiB/s", "MemoryBenchmark.arraycopy");
            case "FrameCodecBenchmark.decode" -> new Mapping("frame decode, " + kib(params.get("frameSize")),
                    "MiB/s", "MemoryBenchmark.arraycopy");
            case "PackWriterBenchmark.add" -> new Mapping("pack writer (fsync per 16 MiB pack)", "MiB/s",
                    "FileWriteBenchmark.writeFile sync=fsync");
            case "IndexLookupBenchmark.lookupPresent", "IndexLookupBenchmark.containsPresent",
                    "IndexLookupBenchmark.containsAbsent" -> new Mapping("index " + name.substring(name.indexOf('.') + 1)
                    + ", " + millions(params.get("entries")) + " entries", "ids/s", null);
            case "MirrorTargetBenchmark.newFiles" -> new Mapping("mirror receiver, new 4 KiB files (tmpfs)", "files/s",
                    null);
            case "BackupBenchmark.backup" -> new Mapping("whole backup, local repository, 256 MiB tree", "MiB/s",
                    "FileReadBenchmark.readFile buffer=heap");
            default -> null;
        };
    }

    private static String kib(String bytes) {
        return bytes == null ? "?" : (Integer.parseInt(bytes) / 1024) + " KiB frames";
    }

    private static String millions(String n) {
        return n == null ? "?" : (Integer.parseInt(n) / 1_000_000) + " M";
    }

    /** Renders the stage rows with their limits; a limit that did not run shows as n/a. */
    static String stageMarkdown(Collection<RunResult> stages, Collection<RunResult> limits, String mode) {
        Map<String, Double> limitScores = new HashMap<>();
        for (RunResult r : limits) {
            limitScores.put(key(r.getParams()), r.getPrimaryResult().getScore());
        }
        List<RunResult> sorted = new ArrayList<>(stages);
        sorted.sort((a, b) -> key(a.getParams()).compareTo(key(b.getParams())));
        StringBuilder out = new StringBuilder();
        out.append("## Stage benchmarks (JMH, ").append(mode).append(" mode)\n\n");
        out.append("- one op = 1 MiB of stage input (index: one id; whole backup: single-shot time of a 256 MiB"
                + " tree, shown as MiB/s); single thread except the whole backup; error = JMH 99.9 % interval\n\n");
        out.append("| stage | benchmark | score | ± | unit | limit benchmark | limit MiB/s | % of limit |\n");
        out.append("|---|---|---:|---:|---|---|---:|---:|\n");
        for (RunResult run : sorted) {
            BenchmarkParams params = run.getParams();
            String name = LimitSuite.shortName(params.getBenchmark());
            Map<String, String> p = new HashMap<>();
            for (String k : params.getParamsKeys()) {
                p.put(k, params.getParam(k));
            }
            Mapping m = mapping(name, p);
            Result<?> primary = run.getPrimaryResult();
            double score = primary.getScore();
            double error = primary.getScoreError();
            if (primary.getScoreUnit().startsWith("s/")) {
                error = Double.isNaN(error) ? error : error / (score * score);
                score = 1.0 / score;
            }
            Double limit = m == null || m.limit() == null ? null : limitScores.get(m.limit());
            out.append("| ").append(m == null ? name : m.stage())
                    .append(" | ").append(LimitSuite.label(params).trim())
                    .append(" | ").append(LimitSuite.format(score))
                    .append(" | ").append(Double.isNaN(error) ? "n/a" : LimitSuite.format(error))
                    .append(" | ").append(m == null ? primary.getScoreUnit() : m.unit())
                    .append(" | ").append(m == null || m.limit() == null ? "—" : m.limit())
                    .append(" | ").append(limit == null ? (m == null || m.limit() == null ? "—" : "n/a")
                            : LimitSuite.format(limit))
                    .append(" | ").append(limit == null ? "—" : String.format(Locale.ROOT, "%.0f %%", 100 * score / limit))
                    .append(" |\n");
        }
        return out.toString();
    }

    /** Renders memory per index entry: the index's estimate and the heap it retained. */
    static String indexMemoryMarkdown(List<IndexFixture.Memory> memory) {
        StringBuilder out = new StringBuilder();
        out.append("### Index memory per entry\n\n");
        out.append("| entries | estimatedBytes() | per entry | retained heap | per entry |\n");
        out.append("|---:|---:|---:|---:|---:|\n");
        for (IndexFixture.Memory m : memory) {
            out.append("| ").append(LimitSuite.format(m.entries()))
                    .append(" | ").append(LimitSuite.format(m.estimatedBytes()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f", m.estimatedPerEntry()))
                    .append(" | ").append(m.heapBytes() < 0 ? "n/a" : LimitSuite.format(m.heapBytes()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f", m.heapPerEntry()))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static String key(BenchmarkParams params) {
        return LimitSuite.label(params).trim();
    }
}
