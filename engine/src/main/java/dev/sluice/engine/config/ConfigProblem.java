package dev.sluice.engine.config;

import java.util.Objects;

/**
 * One problem found in a configuration file: where it is (file, line, column, key path) and what is wrong.
 *
 * <p>Lines and columns count from 1. A problem about the file as a whole (it cannot be read) has line and
 * column 0. The key path names the setting, for example {@code jobs[0].chunker.avg}; it is empty for a
 * problem with the document itself (an empty file, a syntax error at the top level).
 *
 * @param file the file name as the user gave it
 * @param line the 1-based line, or 0 when the problem has no position
 * @param column the 1-based column, or 0 when the problem has no position
 * @param keyPath the dotted key path with list indexes, or the empty string for the document itself
 * @param message a sentence saying what is wrong and, where it helps, what was expected
 */
public record ConfigProblem(String file, int line, int column, String keyPath, String message) {

    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(keyPath, "keyPath");
        Objects.requireNonNull(message, "message");
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column must not be negative: " + line + ":" + column);
        }
        if (message.isBlank()) {
            throw new IllegalArgumentException("a config problem needs a message");
        }
    }

    /** Renders {@code FILE:LINE:COL: KEYPATH: MESSAGE}, leaving out the position or key path when there is none. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(file);
        if (line > 0) {
            out.append(':').append(line).append(':').append(column);
        }
        out.append(": ");
        if (!keyPath.isEmpty()) {
            out.append(keyPath).append(": ");
        }
        return out.append(message).toString();
    }
}
