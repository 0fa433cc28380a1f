package dev.sluice.engine.repository;

/** Lower-case hexadecimal encoding of the fixed-size identifiers in a repository. */
final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {}

    static String encode(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
        }
        return new String(out);
    }

    /** Decodes exactly {@code length} bytes; {@code what} names the value in the error. */
    static byte[] decode(String hex, int length, String what) {
        if (hex == null || hex.length() != length * 2) {
            throw new IllegalArgumentException(what + " must be " + (length * 2) + " hexadecimal digits, got "
                    + (hex == null ? "null" : "'" + hex + "' (" + hex.length() + " characters)"));
        }
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            int hi = Character.digit(hex.charAt(2 * i), 16);
            int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException(what + " '" + hex + "' is not hexadecimal");
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    /** True if every character is a lower-case hexadecimal digit (and there is at least one). */
    static boolean isLowerHex(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
