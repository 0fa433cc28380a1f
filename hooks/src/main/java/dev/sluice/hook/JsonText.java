package dev.sluice.hook;

/** Writes JSON strings by hand, escaped per RFC 8259, for the small documents this module prints. */
final class JsonText {

    private JsonText() {
    }

    /** Appends {@code "name":"value"} (or {@code null} for a null value). */
    static StringBuilder member(StringBuilder b, String name, String value) {
        quote(b, name).append(':');
        return value == null ? b.append("null") : quote(b, value);
    }

    /** Appends the string as a JSON string literal. */
    static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                case '\b': b.append("\\b"); break;
                case '\f': b.append("\\f"); break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"');
    }
}
