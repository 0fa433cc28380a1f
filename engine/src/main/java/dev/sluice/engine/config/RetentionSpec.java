package dev.sluice.engine.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code retention:} block of a job: how many hourly, daily, weekly, monthly and yearly snapshots the
 * backup host keeps, how many of the newest, and everything within a duration (zero switches a rule off).
 * At least one rule must be on, so that a typo cannot make prune forget every snapshot.
 */
public record RetentionSpec(int keepLast, int keepHourly, int keepDaily, int keepWeekly, int keepMonthly,
                            int keepYearly, Duration keepWithin) {
    public RetentionSpec {
        Objects.requireNonNull(keepWithin, "keepWithin");
        if (keepLast < 0 || keepHourly < 0 || keepDaily < 0 || keepWeekly < 0 || keepMonthly < 0 || keepYearly < 0
                || keepWithin.isNegative()) {
            throw new IllegalArgumentException("retention counts and durations must not be negative");
        }
        if (keepLast == 0 && keepHourly == 0 && keepDaily == 0 && keepWeekly == 0 && keepMonthly == 0
                && keepYearly == 0 && keepWithin.isZero()) {
            throw new IllegalArgumentException(NOTHING_KEPT);
        }
    }

    static final String NOTHING_KEPT = "the retention block keeps nothing, so prune would forget every snapshot;"
            + " set at least one of keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_yearly or"
            + " keep_within (or remove the block to keep everything)";
}
