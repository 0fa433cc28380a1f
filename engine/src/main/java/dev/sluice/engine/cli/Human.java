package dev.sluice.engine.cli;

import java.time.Duration;
import java.util.Locale;

/** Formats sizes, rates and durations the way the summaries and progress lines print them. */
final class Human {
    private Human() {}

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    static String rate(long bytes, Duration d) {
        double s = Math.max(d.toNanos(), 1) / 1e9;
        return bytes((long) (bytes / s)) + "/s";
    }

    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
        }
        long s = d.getSeconds();
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
