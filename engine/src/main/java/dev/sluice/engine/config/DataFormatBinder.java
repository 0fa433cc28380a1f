package dev.sluice.engine.config;

import java.util.List;
import java.util.Optional;

/** Binds a job's {@code chunker} and {@code compression} blocks, which fix how its data is cut and stored. */
final class DataFormatBinder {

    private static final List<String> CHUNKER_KEYS = List.of("min", "avg", "max");
    private static final List<String> COMPRESSION_KEYS = List.of("algorithm", "level");

    private final NodeReader reader;
    private final Problems problems;

    DataFormatBinder(NodeReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    /** The job's chunker, the default when absent, or null when it has problems (which are recorded). */
    ChunkerSpec chunker(ConfigSection job) {
        Optional<ConfigSection> section = job.section("chunker", CHUNKER_KEYS);
        if (section.isEmpty()) {
            return job.present("chunker").isPresent() ? null : ChunkerSpec.DEFAULT;
        }
        ConfigSection chunker = section.get();
        int before = problems.size();
        long min = chunker.optional("min", Conversion.size()).map(ByteSize::bytes).orElse(ChunkerSpec.DEFAULT.min());
        long avg = chunker.optional("avg", Conversion.size()).map(ByteSize::bytes).orElse(ChunkerSpec.DEFAULT.avg());
        long max = chunker.optional("max", Conversion.size()).map(ByteSize::bytes).orElse(ChunkerSpec.DEFAULT.max());
        if (problems.size() != before) {
            return null;
        }
        List<ChunkerSpec.Violation> violations = ChunkerSpec.check(min, avg, max);
        for (ChunkerSpec.Violation violation : violations) {
            YamlNode where = chunker.present(violation.field()).map(e -> (YamlNode) e.value())
                    .orElse(chunker.mapping());
            String suffix = chunker.present(violation.field()).isPresent() ? ""
                    : " (" + violation.field() + " is not set; its default is " + defaultOf(violation.field()) + ")";
            problems.at(where, chunker.path(violation.field()), violation.message() + suffix);
        }
        return violations.isEmpty() ? new ChunkerSpec(min, avg, max) : null;
    }

    private static String defaultOf(String chunkerField) {
        ChunkerSpec d = ChunkerSpec.DEFAULT;
        long bytes = switch (chunkerField) {
            case "min" -> d.min();
            case "avg" -> d.avg();
            default -> d.max();
        };
        return ByteSize.format(bytes);
    }

    /** The job's compression, the default when absent, or null when it has problems (which are recorded). */
    CompressionSpec compression(ConfigSection job) {
        Optional<YamlNode.Entry> entry = job.present("compression");
        String at = job.path("compression");
        if (entry.isEmpty()) {
            return CompressionSpec.DEFAULT;
        }
        Conversion<String> algorithm = Conversion.oneOf("a compression algorithm", CompressionSpec.ALGORITHMS);
        YamlNode value = entry.get().value();
        if (value instanceof YamlNode.Scalar) {
            return reader.scalar(value, at, algorithm)
                    .map(name -> name.equals("none") ? CompressionSpec.NONE : CompressionSpec.DEFAULT)
                    .orElse(null);
        }
        if (!(value instanceof YamlNode.Mapping mapping)) {
            reader.wrongType(value, at, "zstd, none, or a mapping with 'algorithm' and 'level'");
            return null;
        }
        ConfigSection section = reader.section(mapping, at, COMPRESSION_KEYS);
        int before = problems.size();
        String name = section.optional("algorithm", algorithm).orElse("zstd");
        Optional<Integer> level = section.optional("level", Conversion.integer());
        if (problems.size() != before) {
            return null;
        }
        if (name.equals("none")) {
            if (level.isPresent()) {
                problems.at(section.present("level").orElseThrow().value(), section.path("level"),
                        "compression none takes no level; remove 'level' or use algorithm zstd");
                return null;
            }
            return CompressionSpec.NONE;
        }
        int zstdLevel = level.orElse(CompressionSpec.DEFAULT_ZSTD_LEVEL);
        if (zstdLevel < CompressionSpec.LOWEST_ZSTD_LEVEL || zstdLevel > CompressionSpec.HIGHEST_ZSTD_LEVEL) {
            problems.at(section.present("level").orElseThrow().value(), section.path("level"),
                    "zstd level " + zstdLevel + " is outside the range 1 to 19; 3 is the default");
            return null;
        }
        return new CompressionSpec(name, zstdLevel);
    }
}
