package dev.sluice.engine.config;

import java.util.List;

/**
 * A number of bytes, written in the configuration as a whole number with an optional unit ({@code 64MiB}).
 *
 * <p>Units are case-sensitive: {@code B}; binary {@code KiB MiB GiB TiB} (powers of 1024); decimal
 * {@code KB MB GB TB} (powers of 1000). A number without a unit counts bytes. One space between the
 * number and the unit is allowed.
 *
 * @param bytes the size in bytes, never negative
 */
public record ByteSize(long bytes) {

    /** The accepted units, longest first so that the suffix match is unambiguous. */
    private static final List<Unit> UNITS = List.of(
            new Unit("KiB", 1L << 10), new Unit("MiB", 1L << 20), new Unit("GiB", 1L << 30), new Unit("TiB", 1L << 40),
            new Unit("KB", 1_000L), new Unit("MB", 1_000_000L), new Unit("GB", 1_000_000_000L),
            new Unit("TB", 1_000_000_000_000L), new Unit("B", 1L));

    private static final String EXPECTED = "expected a whole number of bytes with an optional unit"
            + " (B, KiB, MiB, GiB, TiB, KB, MB, GB or TB), for example 64MiB";

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size must not be negative: " + bytes);
        }
    }

    /** A size of {@code n} KiB. */
    public static ByteSize ofKiB(long n) {
        return new ByteSize(Math.multiplyExact(n, 1L << 10));
    }

    /** A size of {@code n} MiB. */
    public static ByteSize ofMiB(long n) {
        return new ByteSize(Math.multiplyExact(n, 1L << 20));
    }

    /**
     * Parses a size such as {@code 4096}, {@code 512KiB}, {@code 64MiB} or {@code 10GB}.
     *
     * @throws IllegalArgumentException with a sentence naming the text and what was expected
     */
    public static ByteSize parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty size; " + EXPECTED);
        }
        String number = text;
        long factor = 1;
        for (Unit unit : UNITS) {
            if (text.endsWith(unit.suffix())) {
                number = text.substring(0, text.length() - unit.suffix().length());
                if (number.endsWith(" ")) {
                    number = number.substring(0, number.length() - 1);
                }
                factor = unit.factor();
                break;
            }
        }
        if (number.startsWith("-") && number.length() > 1 && allDigits(number.substring(1))) {
            throw new IllegalArgumentException("invalid size '" + text + "': a size must not be negative; " + EXPECTED);
        }
        if (number.isEmpty() || !allDigits(number)) {
            throw new IllegalArgumentException("invalid size '" + text + "'; " + EXPECTED);
        }
        try {
            return new ByteSize(Math.multiplyExact(Long.parseLong(number), factor));
        } catch (NumberFormatException | ArithmeticException tooLarge) {
            throw new IllegalArgumentException("invalid size '" + text + "': larger than the maximum of "
                    + Long.MAX_VALUE + " bytes (about 8 EiB)", tooLarge);
        }
    }

    /** The size in the largest binary unit that divides it exactly, e.g. {@code 64MiB}, {@code 1000B}. */
    @Override
    public String toString() {
        return format(bytes);
    }

    /** Formats a byte count the way {@link #toString()} does. */
    public static String format(long bytes) {
        String[] names = {"TiB", "GiB", "MiB", "KiB"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < names.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes != 0 && bytes % unit == 0) {
                return (bytes / unit) + names[i];
            }
        }
        return bytes + "B";
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private record Unit(String suffix, long factor) {}
}
