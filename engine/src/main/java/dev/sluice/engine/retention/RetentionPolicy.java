package dev.sluice.engine.retention;

import dev.sluice.engine.config.DurationSyntax;
import dev.sluice.engine.config.RetentionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which snapshots of one (job, host) group to keep: the last N, the newest snapshot of each of the N most
 * recent hours / days / ISO weeks / months / years that hold a snapshot, and everything within a duration
 * of the newest snapshot. Zero (or {@link Duration#ZERO}) switches a rule off; see docs/retention.md.
 */
public record RetentionPolicy(int keepLast, int keepHourly, int keepDaily, int keepWeekly, int keepMonthly,
                              int keepYearly, Duration keepWithin) {

    /** A policy with every rule off; the planner refuses it, because it would keep nothing. */
    public static final RetentionPolicy NONE = new RetentionPolicy(0, 0, 0, 0, 0, 0, Duration.ZERO);

    public RetentionPolicy {
        Objects.requireNonNull(keepWithin, "keepWithin");
        check("keep-last", keepLast);
        check("keep-hourly", keepHourly);
        check("keep-daily", keepDaily);
        check("keep-weekly", keepWeekly);
        check("keep-monthly", keepMonthly);
        check("keep-yearly", keepYearly);
        if (keepWithin.isNegative()) {
            throw new IllegalArgumentException("keep-within must not be negative, got " + keepWithin);
        }
    }

    /** The rules of a configuration's retention block (its schedule is the daemon's business). */
    public static RetentionPolicy of(RetentionSpec spec) {
        return new RetentionPolicy(spec.keepLast(), spec.keepHourly(), spec.keepDaily(), spec.keepWeekly(),
                spec.keepMonthly(), spec.keepYearly(), spec.keepWithin());
    }

    /** True if no rule is on: applying this policy would forget every snapshot. */
    public boolean isEmpty() {
        return keepLast == 0 && keepHourly == 0 && keepDaily == 0 && keepWeekly == 0 && keepMonthly == 0
                && keepYearly == 0 && keepWithin.isZero();
    }

    public RetentionPolicy withKeepLast(int n) {
        return new RetentionPolicy(n, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin);
    }

    public RetentionPolicy withKeepHourly(int n) {
        return new RetentionPolicy(keepLast, n, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin);
    }

    public RetentionPolicy withKeepDaily(int n) {
        return new RetentionPolicy(keepLast, keepHourly, n, keepWeekly, keepMonthly, keepYearly, keepWithin);
    }

    public RetentionPolicy withKeepWeekly(int n) {
        return new RetentionPolicy(keepLast, keepHourly, keepDaily, n, keepMonthly, keepYearly, keepWithin);
    }

    public RetentionPolicy withKeepMonthly(int n) {
        return new RetentionPolicy(keepLast, keepHourly, keepDaily, keepWeekly, n, keepYearly, keepWithin);
    }

    public RetentionPolicy withKeepYearly(int n) {
        return new RetentionPolicy(keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, n, keepWithin);
    }

    public RetentionPolicy withKeepWithin(Duration d) {
        return new RetentionPolicy(keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, d);
    }

    /** The rules that are on, e.g. {@code last 3, daily 7, within 2d}; {@code nothing} when empty. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        add(parts, "last", keepLast);
        add(parts, "hourly", keepHourly);
        add(parts, "daily", keepDaily);
        add(parts, "weekly", keepWeekly);
        add(parts, "monthly", keepMonthly);
        add(parts, "yearly", keepYearly);
        if (!keepWithin.isZero()) {
            parts.add("within " + DurationSyntax.format(keepWithin));
        }
        return parts.isEmpty() ? "nothing" : String.join(", ", parts);
    }

    private static void add(List<String> parts, String name, int n) {
        if (n > 0) {
            parts.add(name + " " + n);
        }
    }

    private static void check(String name, int n) {
        if (n < 0) {
            throw new IllegalArgumentException(name + " must be zero (off) or a positive count, got " + n);
        }
    }
}
