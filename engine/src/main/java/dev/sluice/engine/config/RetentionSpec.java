package dev.sluice.engine.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code retention:} block of a job (or of a sink client): how many hourly, daily, weekly, monthly and yearly
 * snapshots the backup host keeps, how many of the newest, and everything within a duration (zero switches a rule
 * off), and when the daemon prunes by itself besides after each successful snapshot. At least one rule must be on,
 * so that a typo cannot make prune forget every snapshot.
 *
 * @param schedule when the daemon prunes the job on its own ({@code retention.schedule}, the syntax of a job's
 *     {@code schedule}); {@link ScheduleSpec#MANUAL} (the default) prunes only after successful snapshots and on
 *     {@code sluice prune}. Sink clients' blocks have no schedule of their own ({@code global.sink.prune_schedule}).
 */
public record RetentionSpec(int keepLast, int keepHourly, int keepDaily, int keepWeekly, int keepMonthly,
                            int keepYearly, Duration keepWithin, ScheduleSpec schedule) {
    public RetentionSpec {
        Objects.requireNonNull(keepWithin, "keepWithin");
        Objects.requireNonNull(schedule, "schedule");
        if (keepLast < 0 || keepHourly < 0 || keepDaily < 0 || keepWeekly < 0 || keepMonthly < 0 || keepYearly < 0
                || keepWithin.isNegative()) {
            throw new IllegalArgumentException("retention counts and durations must not be negative");
        }
        if (keepLast == 0 && keepHourly == 0 && keepDaily == 0 && keepWeekly == 0 && keepMonthly == 0
                && keepYearly == 0 && keepWithin.isZero()) {
            throw new IllegalArgumentException(NOTHING_KEPT);
        }
    }

    /** A block without a schedule of its own. */
    public RetentionSpec(int keepLast, int keepHourly, int keepDaily, int keepWeekly, int keepMonthly,
                         int keepYearly, Duration keepWithin) {
        this(keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin, ScheduleSpec.MANUAL);
    }

    static final String NOTHING_KEPT = "the retention block keeps nothing, so prune would forget every snapshot;"
            + " set at least one of keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_yearly or"
            + " keep_within (or remove the block to keep everything)";
}
