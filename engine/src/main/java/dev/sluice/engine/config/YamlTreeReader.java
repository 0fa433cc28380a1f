package dev.sluice.engine.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns YAML text into a {@link YamlNode} tree with positions, using Jackson's streaming YAML parser; reports
 * syntax errors, duplicate keys, aliases and extra documents as problems.
 */
final class YamlTreeReader {

    private final Problems problems;
    /** Key path of the container being read, for syntax errors. */
    private String container = "";

    private YamlTreeReader(Problems problems) {
        this.problems = problems;
    }

    /**
     * Reads one YAML document.
     *
     * @return the root, or empty when the text holds no document or a syntax error stopped the reading
     */
    static Optional<YamlNode> read(String text, Problems problems) {
        return new YamlTreeReader(problems).readDocument(text);
    }

    private Optional<YamlNode> readDocument(String text) {
        YAMLFactory factory = YAMLFactory.builder().build();
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return Optional.empty();
            }
            YamlNode root = readValue(parser, "");
            if (root instanceof YamlNode.Scalar scalar && scalar.kind() == YamlNode.Kind.EMPTY) {
                return Optional.empty();
            }
            if (parser.nextToken() != null) {
                JsonLocation where = parser.currentTokenLocation();
                problems.add(where.getLineNr(), where.getColumnNr(), "",
                        "a second YAML document starts here; the file must hold exactly one document");
            }
            return Optional.of(root);
        } catch (JsonProcessingException syntax) {
            reportSyntaxError(syntax);
            return Optional.empty();
        } catch (IOException unexpected) {
            // Reading from a String performs no I/O; anything else is a parser defect worth surfacing.
            throw new UncheckedIOException("reading YAML text from memory failed", unexpected);
        }
    }

    /** Reads the value whose first token is the parser's current token. */
    private YamlNode readValue(JsonParser parser, String path) throws IOException {
        JsonLocation where = parser.currentTokenLocation();
        int line = where.getLineNr();
        int column = where.getColumnNr();
        JsonToken token = parser.currentToken();
        if (token == null) {
            problems.add(line, column, path, "the file ends where a value was expected");
            return new YamlNode.Scalar(line, column, "", YamlNode.Kind.INVALID);
        }
        switch (token) {
            case START_OBJECT:
                return readMapping(parser, path, line, column);
            case START_ARRAY:
                return readSequence(parser, path, line, column);
            case VALUE_STRING:
                if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                    problems.add(line, column, path, "YAML aliases (*" + parser.getText()
                            + ") are not supported; write the value out");
                    return new YamlNode.Scalar(line, column, parser.getText(), YamlNode.Kind.INVALID);
                }
                String text = parser.getText();
                return new YamlNode.Scalar(line, column, text,
                        text.isEmpty() ? YamlNode.Kind.EMPTY : YamlNode.Kind.STRING);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new YamlNode.Scalar(line, column, parser.getText(), YamlNode.Kind.NUMBER);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new YamlNode.Scalar(line, column, parser.getText(), YamlNode.Kind.BOOLEAN);
            case VALUE_NULL:
                return new YamlNode.Scalar(line, column, parser.getText(), YamlNode.Kind.EMPTY);
            default:
                problems.add(line, column, path, "unexpected YAML content (" + token + ")");
                return new YamlNode.Scalar(line, column, String.valueOf(parser.getText()), YamlNode.Kind.INVALID);
        }
    }

    private YamlNode readMapping(JsonParser parser, String path, int line, int column) throws IOException {
        String outer = container;
        container = path;
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            JsonLocation keyAt = parser.currentTokenLocation();
            String keyPath = path.isEmpty() ? key : path + "." + key;
            parser.nextToken();
            YamlNode value = readValue(parser, keyPath);
            YamlNode.Entry first = entries.get(key);
            if (first != null) {
                problems.add(keyAt.getLineNr(), keyAt.getColumnNr(), keyPath, "duplicate key '" + key
                        + "'; it is already set at line " + first.line() + ", column " + first.column());
            } else {
                entries.put(key, new YamlNode.Entry(key, keyAt.getLineNr(), keyAt.getColumnNr(), value));
            }
        }
        container = outer;
        return new YamlNode.Mapping(line, column, entries);
    }

    private YamlNode readSequence(JsonParser parser, String path, int line, int column) throws IOException {
        String outer = container;
        container = path;
        List<YamlNode> items = new ArrayList<>();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY && next != null;
                next = parser.nextToken()) {
            items.add(readValue(parser, path + "[" + items.size() + "]"));
        }
        container = outer;
        return new YamlNode.Sequence(line, column, items);
    }

    private void reportSyntaxError(JsonProcessingException syntax) {
        if (syntax.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            Mark mark = marked.getProblemMark();
            StringBuilder message = new StringBuilder("YAML syntax error: ").append(marked.getProblem());
            Mark contextMark = marked.getContextMark();
            if (marked.getContext() != null && contextMark != null) {
                message.append(" (").append(marked.getContext()).append(" that starts at line ")
                        .append(contextMark.getLine() + 1).append(", column ").append(contextMark.getColumn() + 1)
                        .append(')');
            }
            problems.add(mark.getLine() + 1, mark.getColumn() + 1, container, message.toString());
            return;
        }
        JsonLocation where = syntax.getLocation();
        int line = where == null ? 0 : Math.max(where.getLineNr(), 0);
        int column = where == null || line == 0 ? 0 : Math.max(where.getColumnNr(), 0);
        problems.add(line, column, container, "YAML syntax error: " + syntax.getOriginalMessage());
    }
}
