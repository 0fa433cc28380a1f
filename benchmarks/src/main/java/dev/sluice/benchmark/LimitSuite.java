package dev.sluice.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the hardware-limit benchmarks of this package and writes JMH's JSON plus a Markdown table in MiB/s.
 *
 * <p>Every benchmark here processes exactly 1 MiB per operation, so JMH's ops/s is MiB/s.
 * Usage: {@code java -cp benchmarks.jar dev.sluice.benchmark.LimitSuite [--quick|--full]
 * --json FILE --markdown FILE [--include REGEX]}.
 */
public final class LimitSuite {

    static final double MIB_PER_MB = 1_000_000.0 / SampleData.MIB;

    /** The limit benchmarks: classes named *Benchmark directly in this package (not in its subpackages). */
    static final String LIMITS = "^" + LimitSuite.class.getPackageName().replace(".", "\\.") + "\\.[A-Za-z]+Benchmark\\.";

    private LimitSuite() {}

    public static void main(String[] args) throws RunnerException, IOException {
        String mode = "quick";
        Path json = null;
        Path markdown = null;
        String include = LIMITS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick":
                    mode = "quick";
                    break;
                case "--full":
                    mode = "full";
                    break;
                case "--json":
                    json = Path.of(value(args, ++i, "--json"));
                    break;
                case "--markdown":
                    markdown = Path.of(value(args, ++i, "--markdown"));
                    break;
                case "--include":
                    include = value(args, ++i, "--include");
                    break;
                default:
                    throw new IllegalArgumentException("Unknown argument '" + args[i]
                            + "'; expected --quick, --full, --json FILE, --markdown FILE or --include REGEX.");
            }
        }
        if (json == null || markdown == null) {
            throw new IllegalArgumentException("Both --json FILE and --markdown FILE are required.");
        }
        ChainedOptionsBuilder options = options(mode, json).include(include);
        Collection<RunResult> results = new Runner(options.build()).run();
        String table = markdown(results, mode);
        Files.writeString(markdown, table, StandardCharsets.UTF_8);
        System.out.println();
        System.out.print(table);
    }

    /** JMH options for {@code quick} or {@code full} mode, writing JSON to {@code json}; no includes yet. */
    static ChainedOptionsBuilder options(String mode, Path json) {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .result(json.toString())
                .resultFormat(ResultFormatType.JSON)
                .shouldFailOnError(true);
        if ("quick".equals(mode)) {
            options.forks(1).warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(1));
        } else {
            options.forks(2).warmupIterations(5).warmupTime(TimeValue.seconds(2))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(2));
        }
        if (Runtime.version().feature() >= 22) {
            options.jvmArgsAppend("--enable-native-access=ALL-UNNAMED");
        }
        return options;
    }

    static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw new IllegalArgumentException("Option " + flag + " needs a value.");
        }
        return args[index];
    }

    /** Renders the results as a Markdown section: machine facts, then one row per benchmark and parameter set. */
    static String markdown(Collection<RunResult> results, String mode) {
        StringBuilder out = new StringBuilder();
        out.append("## Hardware limits (JMH, ").append(mode).append(" mode)\n\n");
        out.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
        out.append("- JDK: ").append(System.getProperty("java.vm.vendor")).append(' ')
                .append(System.getProperty("java.vm.name")).append(' ').append(Runtime.version()).append('\n');
        out.append("- CPU: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" logical CPUs\n");
        out.append("- one op = 1 MiB (1,048,576 bytes) of input; single thread; error = JMH 99.9 % interval\n\n");
        out.append("| benchmark | params | MiB/s | ± | MB/s |\n");
        out.append("|---|---|---:|---:|---:|\n");
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort((a, b) -> label(a.getParams()).compareTo(label(b.getParams())));
        for (RunResult run : sorted) {
            Result<?> primary = run.getPrimaryResult();
            double mibPerSecond = primary.getScore();
            double error = primary.getScoreError();
            out.append("| ").append(shortName(run.getParams().getBenchmark()))
                    .append(" | ").append(params(run.getParams()))
                    .append(" | ").append(format(mibPerSecond))
                    .append(" | ").append(Double.isNaN(error) ? "n/a" : format(error))
                    .append(" | ").append(format(mibPerSecond / MIB_PER_MB))
                    .append(" |\n");
        }
        return out.toString();
    }

    static String label(BenchmarkParams params) {
        return shortName(params.getBenchmark()) + " " + params(params);
    }

    static String shortName(String benchmark) {
        String[] parts = benchmark.split("\\.");
        return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    static String params(BenchmarkParams params) {
        Map<String, String> sorted = new TreeMap<>();
        for (String key : params.getParamsKeys()) {
            sorted.put(key, params.getParam(key));
        }
        return sorted.isEmpty() ? "" : sorted.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    static String cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return System.getProperty("os.arch");
        }
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(System.getProperty("os.arch"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Reading " + cpuinfo + " failed", e);
        }
    }
}
