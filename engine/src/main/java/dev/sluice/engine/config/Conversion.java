package dev.sluice.engine.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Turns a scalar's text into a typed value; {@code parse} throws IllegalArgumentException with a full sentence, and
 * {@code expected} names the value for "expected ..." messages.
 */
record Conversion<T>(String expected, Function<String, T> parse) {

    static Conversion<String> text() {
        return new Conversion<>("a text value", Function.identity());
    }

    /** A path; a relative one is taken from {@code baseDir}, the configuration file's directory. */
    static Conversion<Path> path(Path baseDir) {
        return new Conversion<>("a path", value -> {
            try {
                return baseDir.resolve(Path.of(value));
            } catch (InvalidPathException invalid) {
                throw new IllegalArgumentException("invalid path '" + value + "': " + invalid.getReason(), invalid);
            }
        });
    }

    static Conversion<ByteSize> size() {
        return new Conversion<>("a size like 64MiB", ByteSize::parse);
    }

    static Conversion<Duration> duration() {
        return new Conversion<>("a duration like 15m", DurationSyntax::parse);
    }

    static Conversion<ScheduleSpec> schedule() {
        return new Conversion<>("a schedule like every 1h", ScheduleSpec::parse);
    }

    static Conversion<String> oneOf(String what, List<String> allowed) {
        return new Conversion<>(what, value -> {
            if (!allowed.contains(value)) {
                throw new IllegalArgumentException("unknown value '" + value + "'; expected one of "
                        + String.join(", ", allowed));
            }
            return value;
        });
    }

    /** Only the words true and false, so that YAML 1.1's yes/no/on/off do not surprise anyone. */
    static Conversion<Boolean> bool() {
        return new Conversion<>("true or false", value -> {
            if (value.equals("true")) {
                return Boolean.TRUE;
            }
            if (value.equals("false")) {
                return Boolean.FALSE;
            }
            throw new IllegalArgumentException("expected true or false, found '" + value + "'");
        });
    }

    static Conversion<Integer> integer() {
        return new Conversion<>("a whole number", value -> {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException("expected a whole number like 3, found '" + value + "'",
                        notANumber);
            }
        });
    }

    /** A count of snapshots to keep: a whole number, 0 or more. */
    static Conversion<Integer> count() {
        return new Conversion<>("a count like 7", value -> {
            int n;
            try {
                n = Integer.parseInt(value);
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException("expected a whole number like 7, found '" + value + "'",
                        notANumber);
            }
            if (n < 0) {
                throw new IllegalArgumentException("a retention count must not be negative, found " + n
                        + "; use 0 to switch a rule off");
            }
            return n;
        });
    }

    /** {@code N/h}: at most N snapshots per job and identity per hour. */
    static Conversion<Integer> rateLimit() {
        return new Conversion<>("a rate like 60/h", value -> {
            if (!value.matches("[0-9]{1,6}/h")) {
                throw new IllegalArgumentException("invalid snapshot rate limit '" + value
                        + "'; expected snapshots per hour like 60/h");
            }
            int n = Integer.parseInt(value.substring(0, value.length() - 2));
            if (n < 1) {
                throw new IllegalArgumentException("the snapshot rate limit must allow at least 1/h");
            }
            return n;
        });
    }

    static Conversion<String> identity() {
        return new Conversion<>("an identity", value -> {
            if (!GlobalSpec.HOST_NAME.matcher(value).matches()) {
                throw new IllegalArgumentException("invalid identity '" + value
                        + "'; expected letters, digits, '.', '-' and '_'");
            }
            return value;
        });
    }

    static Conversion<String> jobName() {
        return new Conversion<>("a job name", value -> {
            if (!JobSpec.NAME.matcher(value).matches()) {
                throw new IllegalArgumentException(JobSpec.nameProblem(value));
            }
            return value;
        });
    }
}
