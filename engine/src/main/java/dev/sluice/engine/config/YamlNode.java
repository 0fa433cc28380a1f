package dev.sluice.engine.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A YAML value with the line and column where it starts; mappings keep their keys' order and positions. */
sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {

    /** 1-based line where the value starts. */
    int line();

    /** 1-based column where the value starts. */
    int column();

    /** How the value is named in a "found ..." message. */
    String describe();

    /** A key of a mapping with its own position, and its value. */
    record Entry(String key, int line, int column, YamlNode value) {}

    /** A mapping; entries in file order, keys unique. */
    record Mapping(int line, int column, Map<String, Entry> entries) implements YamlNode {
        public Mapping {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        /**
         * The entry for {@code key} when it is there with a value; an empty value ({@code key:}, {@code ~},
         * {@code null}, {@code ""}) counts as not set, the one rule every binder follows.
         */
        Optional<Entry> present(String key) {
            Entry entry = entries.get(key);
            return entry == null || entry.value() instanceof Scalar scalar && scalar.kind() == Kind.EMPTY
                    ? Optional.empty() : Optional.of(entry);
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    /** A list. */
    record Sequence(int line, int column, List<YamlNode> items) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * A scalar with its text as written (numbers and booleans unconverted).
     *
     * @param kind what the YAML parser made of the text
     */
    record Scalar(int line, int column, String text, Kind kind) implements YamlNode {
        @Override
        public String describe() {
            return switch (kind) {
                case EMPTY -> "an empty value";
                case BOOLEAN -> "the boolean " + text;
                case NUMBER -> "the number " + text;
                case STRING, INVALID -> "the text '" + text + "'";
            };
        }
    }

    /** The kinds of scalar the binder distinguishes. */
    enum Kind {
        STRING,
        NUMBER,
        BOOLEAN,
        /** {@code ~}, {@code null}, or nothing after the colon. */
        EMPTY,
        /** A value already reported as a problem (an alias); the binder skips it silently. */
        INVALID
    }
}
