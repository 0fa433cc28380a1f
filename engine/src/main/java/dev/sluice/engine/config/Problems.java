package dev.sluice.engine.config;

import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one configuration file while it is read and bound. */
final class Problems {

    private final String file;
    private final List<ConfigProblem> found = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    void add(int line, int column, String keyPath, String message) {
        found.add(new ConfigProblem(file, line, column, keyPath, message));
    }

    void at(YamlNode node, String keyPath, String message) {
        add(node.line(), node.column(), keyPath, message);
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    int size() {
        return found.size();
    }

    ConfigException toException() {
        return new ConfigException(found);
    }
}
