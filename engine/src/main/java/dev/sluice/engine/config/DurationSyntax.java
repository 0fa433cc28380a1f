package dev.sluice.engine.config;

import java.time.Duration;
import java.util.List;

/**
 * Reads and writes durations in the configuration's compact syntax: one or more number-unit pairs from the
 * largest unit to the smallest, each unit at most once ({@code 90s}, {@code 15m}, {@code 1h30m}, {@code 2d},
 * {@code 500ms}, {@code 1w}).
 *
 * <p>Units: {@code w} (7 days), {@code d} (24 hours), {@code h}, {@code m}, {@code s}, {@code ms}. A bare number
 * is rejected because its unit would be a guess.
 */
public final class DurationSyntax {

    /** Units from largest to smallest; the order the text must follow. */
    private static final List<Unit> UNITS = List.of(
            new Unit("w", Duration.ofDays(7)), new Unit("d", Duration.ofDays(1)), new Unit("h", Duration.ofHours(1)),
            new Unit("m", Duration.ofMinutes(1)), new Unit("s", Duration.ofSeconds(1)),
            new Unit("ms", Duration.ofMillis(1)));

    private static final String EXPECTED = "expected numbers with units w, d, h, m, s or ms from largest to"
            + " smallest, for example 90s, 15m or 1h30m";

    private DurationSyntax() {}

    /**
     * Parses a duration such as {@code 1h30m}.
     *
     * @throws IllegalArgumentException with a sentence naming the text and what was expected
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration; " + EXPECTED);
        }
        if (text.startsWith("-")) {
            throw new IllegalArgumentException("invalid duration '" + text + "': a duration must not be negative; "
                    + EXPECTED);
        }
        Duration total = Duration.ZERO;
        int position = 0;
        int lastUnit = -1;
        while (position < text.length()) {
            int digitsEnd = position;
            while (digitsEnd < text.length() && text.charAt(digitsEnd) >= '0' && text.charAt(digitsEnd) <= '9') {
                digitsEnd++;
            }
            if (digitsEnd == position) {
                throw new IllegalArgumentException("invalid duration '" + text + "'; " + EXPECTED);
            }
            int unitEnd = digitsEnd;
            while (unitEnd < text.length() && Character.isLetter(text.charAt(unitEnd))) {
                unitEnd++;
            }
            String unitName = text.substring(digitsEnd, unitEnd);
            if (unitName.isEmpty()) {
                throw new IllegalArgumentException("invalid duration '" + text + "': the number "
                        + text.substring(position, digitsEnd) + " has no unit; " + EXPECTED);
            }
            int unitIndex = indexOf(unitName);
            if (unitIndex < 0) {
                throw new IllegalArgumentException("invalid duration '" + text + "': unknown unit '" + unitName
                        + "'; " + EXPECTED);
            }
            if (unitIndex <= lastUnit) {
                throw new IllegalArgumentException("invalid duration '" + text + "': unit '" + unitName
                        + "' is out of order or repeated; " + EXPECTED);
            }
            lastUnit = unitIndex;
            try {
                long amount = Long.parseLong(text.substring(position, digitsEnd));
                total = total.plus(UNITS.get(unitIndex).length().multipliedBy(amount));
            } catch (NumberFormatException | ArithmeticException tooLarge) {
                throw new IllegalArgumentException("invalid duration '" + text + "': too large", tooLarge);
            }
            position = unitEnd;
        }
        return total;
    }

    /**
     * Formats a non-negative duration in the same syntax, e.g. {@code 1h30m}, {@code 500ms}, {@code 0s}; sub-millisecond
     * parts are dropped.
     */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("cannot format a negative duration: " + duration);
        }
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        for (Unit unit : UNITS) {
            long size = unit.length().toMillis();
            long count = millis / size;
            if (count > 0) {
                out.append(count).append(unit.name());
                millis -= count * size;
            }
        }
        return out.toString();
    }

    private static int indexOf(String unitName) {
        for (int i = 0; i < UNITS.size(); i++) {
            if (UNITS.get(i).name().equals(unitName)) {
                return i;
            }
        }
        return -1;
    }

    private record Unit(String name, Duration length) {}
}
