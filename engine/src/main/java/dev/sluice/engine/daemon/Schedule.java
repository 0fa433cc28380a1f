package dev.sluice.engine.daemon;

import dev.sluice.engine.config.ScheduleSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The times a job is due: the next slot of its schedule after a given instant, the first run after the daemon
 * starts (a missed slot runs once, at once), the run after a run, each plus a random jitter.
 */
public final class Schedule {
    /** How far ahead a cron expression is searched before it is taken to never match (Feb 30). */
    private static final int CRON_HORIZON_YEARS = 8;

    private final ScheduleSpec spec;
    private final ZoneId zone;
    private final RandomGenerator random;

    public Schedule(ScheduleSpec spec, ZoneId zone, RandomGenerator random) {
        this.spec = spec;
        this.zone = zone;
        this.random = random;
    }

    public ScheduleSpec spec() {
        return spec;
    }

    /** The first slot strictly after {@code after}, without jitter; empty for a manual schedule or a cron expression that never matches. */
    public Optional<Instant> next(Instant after) {
        if (spec instanceof ScheduleSpec.Every every) {
            return Optional.of(after.plus(every.interval()));
        }
        if (spec instanceof ScheduleSpec.Cron cron) {
            return nextCron(cron, after);
        }
        return Optional.empty();
    }

    /**
     * When the first run after a (re)start is due. If a slot passed since the last run ({@code lastRun}), the job
     * missed it and runs now, once, however many slots it missed; with no last run it waits for its next slot.
     */
    public Optional<Instant> firstRun(Optional<Instant> lastRun, Instant now) {
        if (lastRun.isPresent()) {
            Optional<Instant> due = next(lastRun.get());
            if (due.isPresent() && !due.get().isAfter(now)) {
                return Optional.of(now);
            }
            return due.map(this::withJitter);
        }
        return next(now).map(this::withJitter);
    }

    /**
     * When the run after a run that started at {@code started} is due; slots that passed while it ran are skipped
     * (one run at a time, no catching up).
     */
    public Optional<Instant> afterRun(Instant started, Instant now) {
        Optional<Instant> due = next(started);
        if (due.isPresent() && !due.get().isAfter(now)) {
            due = next(now);
        }
        return due.map(this::withJitter);
    }

    private Instant withJitter(Instant due) {
        long max = spec.jitter().toMillis();
        return max <= 0 ? due : due.plus(Duration.ofMillis(random.nextLong(max + 1)));
    }

    private Optional<Instant> nextCron(ScheduleSpec.Cron cron, Instant after) {
        LocalDateTime t = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        LocalDate limit = t.toLocalDate().plusYears(CRON_HORIZON_YEARS);
        while (t.toLocalDate().isBefore(limit)) {
            if (!cron.month(t.getMonthValue())) {
                t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
            } else if (!cron.day(t.getDayOfMonth(), t.getDayOfWeek().getValue() % 7)) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
            } else if (!cron.hour(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!cron.minute(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                ZonedDateTime zoned = ZonedDateTime.ofLocal(t, zone, null);
                Instant at = zoned.toInstant();
                if (at.isAfter(after)) {
                    return Optional.of(at);
                }
                t = t.plusMinutes(1);
            }
        }
        return Optional.empty();
    }
}
