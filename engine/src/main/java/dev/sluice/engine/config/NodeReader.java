package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads typed values out of one file's YAML nodes, recording a problem with the line and key path for each value
 * that is missing, of the wrong type or does not convert.
 */
final class NodeReader {

    private final Problems problems;
    private final Conversion<Path> path;

    /** @param baseDir the directory relative paths are taken from */
    NodeReader(Problems problems, Path baseDir) {
        this.problems = problems;
        this.path = Conversion.path(baseDir);
    }

    Problems problems() {
        return problems;
    }

    /** Paths, relative ones taken from the configuration file's directory. */
    Conversion<Path> path() {
        return path;
    }

    /** A mapping to read at {@code at}; its keys outside {@code known} (unless null) are reported at once. */
    ConfigSection section(YamlNode.Mapping mapping, String at, List<String> known) {
        return new ConfigSection(this, mapping, at, known);
    }

    /**
     * Converts a non-empty value; records a problem and returns empty when it is not a scalar or does not
     * convert.
     */
    <T> Optional<T> scalar(YamlNode node, String at, Conversion<T> conversion) {
        if (!(node instanceof YamlNode.Scalar scalar)) {
            wrongType(node, at, conversion.expected());
            return Optional.empty();
        }
        switch (scalar.kind()) {
            case INVALID:
                return Optional.empty();
            case EMPTY:
                problems.at(node, at, "empty value; expected " + conversion.expected());
                return Optional.empty();
            default:
                try {
                    return Optional.of(conversion.parse().apply(scalar.text()));
                } catch (IllegalArgumentException invalid) {
                    problems.at(node, at, invalid.getMessage());
                    return Optional.empty();
                }
        }
    }

    /** Records that {@code node} is not {@code expected}, unless the YAML reader already reported it invalid. */
    void wrongType(YamlNode node, String at, String expected) {
        if (node instanceof YamlNode.Scalar scalar && scalar.kind() == YamlNode.Kind.INVALID) {
            return;
        }
        problems.at(node, at, "expected " + expected + ", found " + node.describe());
    }
}
