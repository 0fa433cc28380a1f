package dev.sluice.engine.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * When a job runs by itself, as written in its {@code schedule:} key: never ({@code manual}), every fixed
 * interval ({@code every 1h}), or at the minutes a five-field cron expression names ({@code 30 3 * * *}), each
 * with an optional random delay ({@code every 1h jitter 5m}). This is the validated syntax; the daemon computes
 * the times.
 */
public sealed interface ScheduleSpec permits ScheduleSpec.Manual, ScheduleSpec.Every, ScheduleSpec.Cron {

    /** The schedule as written. */
    String text();

    /** The largest random delay added to each due time; zero for none. */
    Duration jitter();

    /** The default: the job runs only when asked ({@code sluice run JOB}). */
    ScheduleSpec MANUAL = new Manual();

    /** Never by itself. */
    record Manual() implements ScheduleSpec {
        @Override public String text() { return "manual"; }
        @Override public Duration jitter() { return Duration.ZERO; }
    }

    /** Every {@code interval} after the previous run started. */
    record Every(String text, Duration interval, Duration jitter) implements ScheduleSpec {
        public Every {
            Objects.requireNonNull(text, "text");
            if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("a schedule interval must be at least 1s, found "
                        + DurationSyntax.format(interval));
            }
            if (jitter.isNegative() || jitter.compareTo(interval) > 0) {
                throw new IllegalArgumentException("the jitter " + DurationSyntax.format(jitter)
                        + " must not be longer than the interval " + DurationSyntax.format(interval));
            }
        }
    }

    /**
     * A cron expression as bit masks: bit {@code n} set means value {@code n} matches. Days of the week count
     * from 0 (Sunday) to 6; 7 is read as Sunday too. When both day fields are restricted, a day matching
     * either runs (as in cron).
     */
    record Cron(String text, long minutes, long hours, long daysOfMonth, long months, long daysOfWeek,
            boolean dayOfMonthRestricted, boolean dayOfWeekRestricted, Duration jitter) implements ScheduleSpec {
        public Cron {
            Objects.requireNonNull(text, "text");
            if (minutes == 0 || hours == 0 || daysOfMonth == 0 || months == 0 || daysOfWeek == 0) {
                throw new IllegalArgumentException("cron expression '" + text + "' has an empty field");
            }
            if (jitter.isNegative()) {
                throw new IllegalArgumentException("jitter must not be negative");
            }
        }

        public boolean minute(int m) { return (minutes >>> m & 1) != 0; }
        public boolean hour(int h) { return (hours >>> h & 1) != 0; }
        public boolean month(int m) { return (months >>> m & 1) != 0; }

        /** Whether a day (1-based day of month, 0-based day of week with 0 = Sunday) matches. */
        public boolean day(int dayOfMonth, int dayOfWeek) {
            boolean dom = (daysOfMonth >>> dayOfMonth & 1) != 0;
            boolean dow = (daysOfWeek >>> dayOfWeek & 1) != 0;
            if (dayOfMonthRestricted && dayOfWeekRestricted) {
                return dom || dow;
            }
            return dom && dow;
        }
    }

    /**
     * Parses {@code manual}, {@code every DURATION}, or five cron fields {@code MIN HOUR DOM MON DOW}, the last
     * two optionally followed by {@code jitter DURATION}.
     *
     * @throws IllegalArgumentException with a sentence naming the text and what was expected
     */
    static ScheduleSpec parse(String text) {
        String trimmed = text.trim();
        List<String> words = List.of(trimmed.split("\\s+"));
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty schedule; " + EXPECTED);
        }
        if (words.equals(List.of("manual"))) {
            return MANUAL;
        }
        Duration jitter = Duration.ZERO;
        int n = words.size();
        if (n >= 2 && words.get(n - 2).equals("jitter")) {
            jitter = duration(words.get(n - 1), text);
            words = words.subList(0, n - 2);
        }
        if (!words.isEmpty() && words.get(0).equals("every")) {
            if (words.size() != 2) {
                throw new IllegalArgumentException("invalid schedule '" + text + "'; " + EXPECTED);
            }
            try {
                return new Every(trimmed, duration(words.get(1), text), jitter);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid schedule '" + text + "': " + e.getMessage(), e);
            }
        }
        if (words.size() != 5) {
            throw new IllegalArgumentException("invalid schedule '" + text + "'; " + EXPECTED);
        }
        long[] masks = new long[5];
        for (int i = 0; i < 5; i++) {
            masks[i] = CronField.values()[i].parse(words.get(i), text);
        }
        long dow = masks[4];
        if ((dow >>> 7 & 1) != 0) {
            dow = (dow | 1) & ~(1L << 7);
        }
        return new Cron(trimmed, masks[0], masks[1], masks[2], masks[3], dow,
                !words.get(2).equals("*"), !words.get(4).equals("*"), jitter);
    }

    /** What a schedule may look like, for messages. */
    String EXPECTED = "expected 'manual', 'every DURATION' (like every 1h) or five cron fields 'MIN HOUR DAY MONTH"
            + " WEEKDAY' (like 30 3 * * *), optionally followed by 'jitter DURATION'";

    private static Duration duration(String word, String text) {
        try {
            return DurationSyntax.parse(word);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid schedule '" + text + "': " + e.getMessage(), e);
        }
    }

    /** The five cron fields with their ranges. */
    enum CronField {
        MINUTE("minute", 0, 59), HOUR("hour", 0, 23), DAY_OF_MONTH("day of month", 1, 31), MONTH("month", 1, 12),
        DAY_OF_WEEK("day of week", 0, 7);

        private final String label;
        private final int low;
        private final int high;

        CronField(String label, int low, int high) {
            this.label = label;
            this.low = low;
            this.high = high;
        }

        /** {@code *}, {@code N}, {@code A-B}, each optionally {@code /STEP}, joined by commas. */
        long parse(String field, String text) {
            long mask = 0;
            for (String part : field.split(",", -1)) {
                int slash = part.indexOf('/');
                String range = slash < 0 ? part : part.substring(0, slash);
                int step = slash < 0 ? 1 : number(part.substring(slash + 1), text, 1, high);
                int from;
                int to;
                if (range.equals("*")) {
                    from = low;
                    to = high == 7 ? 6 : high;
                } else if (range.contains("-")) {
                    String[] ends = range.split("-", 2);
                    from = number(ends[0], text, low, high);
                    to = number(ends[1], text, low, high);
                    if (from > to) {
                        throw new IllegalArgumentException("invalid schedule '" + text + "': the " + label
                                + " range " + range + " runs backwards");
                    }
                } else {
                    from = number(range, text, low, high);
                    to = slash < 0 ? from : (high == 7 ? 6 : high);
                }
                for (int v = from; v <= to; v += step) {
                    mask |= 1L << v;
                }
            }
            return mask;
        }

        private int number(String s, String text, int min, int max) {
            try {
                int v = Integer.parseInt(s);
                if (v < min || v > max) {
                    throw new IllegalArgumentException("invalid schedule '" + text + "': the " + label + " " + v
                            + " is outside " + min + " to " + max);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid schedule '" + text + "': '" + s + "' is not a "
                        + label + " (" + min + " to " + max + "); " + EXPECTED, e);
            }
        }
    }
}
