package dev.sluice.engine.cli;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small streaming JSON writer for machine-readable command output ({@code --json});
 * it escapes strings correctly and tracks commas, nothing more.
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    private final Deque<Boolean> first = new ArrayDeque<>();
    private boolean afterName;

    JsonWriter beginObject() {
        value();
        out.append('{');
        first.push(true);
        return this;
    }

    JsonWriter endObject() {
        first.pop();
        out.append('}');
        return this;
    }

    JsonWriter beginArray() {
        value();
        out.append('[');
        first.push(true);
        return this;
    }

    JsonWriter endArray() {
        first.pop();
        out.append(']');
        return this;
    }

    JsonWriter name(String name) {
        comma();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    JsonWriter value(String s) {
        value();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        return this;
    }

    JsonWriter value(long n) {
        value();
        out.append(n);
        return this;
    }

    JsonWriter value(boolean b) {
        value();
        out.append(b);
        return this;
    }

    JsonWriter field(String name, String v) {
        return name(name).value(v);
    }

    JsonWriter field(String name, long v) {
        return name(name).value(v);
    }

    private void value() {
        if (afterName) {
            afterName = false;
        } else {
            comma();
        }
    }

    private void comma() {
        if (!first.isEmpty()) {
            if (!first.peek()) {
                out.append(',');
            }
            first.pop();
            first.push(false);
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
