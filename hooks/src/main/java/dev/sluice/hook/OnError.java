package dev.sluice.hook;

import java.util.Locale;

/** What a failing hook (non-zero exit, timeout, malformed output) does to the job. */
public enum OnError {
    /** The failure stops the phase and fails the job; cleanup hooks still run. */
    ABORT,
    /** The failure is logged as a warning and the job goes on. */
    WARN;

    /** The configuration spelling: {@code abort} or {@code warn}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code abort} or {@code warn}.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static OnError of(String id) {
        switch (id) {
            case "abort": return ABORT;
            case "warn": return WARN;
            default: throw new IllegalArgumentException("unknown on_error value '" + id + "'; valid values are abort, warn");
        }
    }
}
