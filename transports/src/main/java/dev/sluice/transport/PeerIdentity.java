package dev.sluice.transport;

import java.util.regex.Pattern;

/**
 * The name of an authenticated peer, taken only from local configuration (never from
 * anything the peer says), and safe to use as a file or socket name.
 *
 * @param name one to 64 characters: a letter or digit, then letters, digits, '.', '_' or '-'
 */
public record PeerIdentity(String name) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public PeerIdentity {
        if (name == null) {
            throw new IllegalArgumentException("peer identity is missing");
        }
        if (!VALID.matcher(name).matches()) {
            throw new IllegalArgumentException("peer identity '" + printable(name) + "' is not allowed: use 1 to 64 "
                    + "characters, a letter or digit first, then letters, digits, '.', '_' or '-'");
        }
    }

    /** Whether {@code name} would be accepted by the constructor. */
    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    @Override
    public String toString() {
        return name;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > 80) {
            b.append("…");
        }
        return b.toString();
    }
}
