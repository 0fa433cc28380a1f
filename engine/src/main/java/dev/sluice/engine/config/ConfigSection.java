package dev.sluice.engine.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/** A mapping being read at a key path: reports its unknown keys once, then hands out typed values by key. */
final class ConfigSection {

    private final NodeReader reader;
    private final Problems problems;
    private final YamlNode.Mapping mapping;
    private final String path;
    /** Known keys that an unknown key was taken for; their absence is not reported a second time. */
    private final Set<String> suggested = new HashSet<>();

    /** @param known the keys allowed here, or null when any key is a name (a map of clients) */
    ConfigSection(NodeReader reader, YamlNode.Mapping mapping, String path, List<String> known) {
        this.reader = reader;
        this.problems = reader.problems();
        this.mapping = mapping;
        this.path = path;
        for (YamlNode.Entry entry : mapping.entries().values()) {
            if (known != null && !known.contains(entry.key())) {
                Optional<String> closest = KeySuggestion.closest(entry.key(), known);
                closest.ifPresent(suggested::add);
                String hint = closest.map(key -> "did you mean '" + key + "'?")
                        .orElse("known keys here: " + String.join(", ", known));
                problems.add(entry.line(), entry.column(), path(entry.key()),
                        "unknown key '" + entry.key() + "'; " + hint);
            }
        }
    }

    YamlNode.Mapping mapping() {
        return mapping;
    }

    /** This mapping's key path ({@code ""} at the top). */
    String path() {
        return path;
    }

    String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The entry for a key when it is there with a value; an empty value counts as not set. */
    Optional<YamlNode.Entry> present(String key) {
        return mapping.present(key);
    }

    void missing(String key, String expected) {
        YamlNode.Entry entry = mapping.entries().get(key);
        if (entry == null && suggested.contains(key)) {
            return; // the misspelt key's problem already names this one
        }
        if (entry != null) {
            problems.at(entry.value(), path(key), "'" + key + "' has no value; expected " + expected);
        } else {
            problems.at(mapping, path(key), "missing required key '" + key + "' (" + expected + ")");
        }
    }

    <T> Optional<T> optional(String key, Conversion<T> conversion) {
        return present(key).flatMap(entry -> reader.scalar(entry.value(), path(key), conversion));
    }

    <T> Optional<T> required(String key, Conversion<T> conversion) {
        if (present(key).isEmpty()) {
            missing(key, conversion.expected());
            return Optional.empty();
        }
        return optional(key, conversion);
    }

    /** A nested mapping; records a problem and returns empty when the value is something else. */
    Optional<ConfigSection> section(String key, List<String> known) {
        Optional<YamlNode.Entry> entry = present(key);
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        if (entry.get().value() instanceof YamlNode.Mapping nested) {
            return Optional.of(new ConfigSection(reader, nested, path(key), known));
        }
        reader.wrongType(entry.get().value(), path(key), known == null ? "a mapping"
                : "a mapping with the keys " + String.join(", ", known));
        return Optional.empty();
    }

    /** A list of scalars; an absent key gives the empty list. */
    <T> List<T> list(String key, Conversion<T> conversion, String expected) {
        Optional<YamlNode.Entry> entry = present(key);
        if (entry.isEmpty()) {
            return List.of();
        }
        if (!(entry.get().value() instanceof YamlNode.Sequence sequence)) {
            reader.wrongType(entry.get().value(), path(key), expected);
            return List.of();
        }
        List<T> values = new ArrayList<>();
        for (int i = 0; i < sequence.items().size(); i++) {
            reader.scalar(sequence.items().get(i), path(key) + "[" + i + "]", conversion).ifPresent(values::add);
        }
        return values;
    }

    /** A list that must be present and hold at least one item. */
    <T> List<T> requiredList(String key, Conversion<T> conversion, String expected) {
        Optional<YamlNode.Entry> entry = present(key);
        if (entry.isEmpty()) {
            missing(key, expected);
            return List.of();
        }
        if (entry.get().value() instanceof YamlNode.Sequence sequence && sequence.items().isEmpty()) {
            problems.at(sequence, path(key), "the list is empty; expected " + expected + " with at least one item");
            return List.of();
        }
        return list(key, conversion, expected);
    }

    /**
     * Reads {@code clients}, a mapping from identities to mappings with {@code clientKeys}, and hands each
     * well-formed client to {@code each}; a missing or empty mapping, an invalid identity or a client that is not a
     * mapping is reported.
     *
     * @param shape    how a client's value looks, for the "missing" message (e.g. {@code {jobs: [...]}})
     * @param firstKey the key a client mapping must have, for the wrong-type message
     * @return whether a {@code clients} mapping was there
     */
    boolean eachClient(String shape, String firstKey, List<String> clientKeys, BiConsumer<String, ConfigSection> each) {
        Optional<ConfigSection> clientSection = section("clients", null);
        if (clientSection.isEmpty() && present("clients").isEmpty()) {
            missing("clients", "a mapping from identities to " + shape);
        }
        clientSection.ifPresent(c -> {
            if (c.mapping.entries().isEmpty()) {
                problems.at(c.mapping, c.path, "no client identity is listed");
            }
            for (YamlNode.Entry entry : c.mapping.entries().values()) {
                String at = c.path(entry.key());
                if (!GlobalSpec.HOST_NAME.matcher(entry.key()).matches()) {
                    problems.add(entry.line(), entry.column(), at, "invalid identity '" + entry.key()
                            + "'; expected letters, digits, '.', '-' and '_'");
                    continue;
                }
                if (!(entry.value() instanceof YamlNode.Mapping m)) {
                    reader.wrongType(entry.value(), at, "a mapping with the key " + firstKey);
                    continue;
                }
                each.accept(entry.key(), new ConfigSection(reader, m, at, clientKeys));
            }
        });
        return clientSection.isPresent();
    }
}
