package dev.sluice.engine.config;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a configuration file cannot be used; carries every problem found in it, in file order. */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    /**
     * @param problems at least one problem; they are sorted by line and column (stable for equal positions)
     */
    public ConfigException(List<ConfigProblem> problems) {
        super(render(problems));
        this.problems = sorted(problems);
    }

    /** The problems, sorted by line and then column. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static List<ConfigProblem> sorted(List<ConfigProblem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        return problems.stream()
                .sorted(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column))
                .collect(Collectors.toUnmodifiableList());
    }

    private static String render(List<ConfigProblem> problems) {
        return sorted(problems).stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
    }
}
