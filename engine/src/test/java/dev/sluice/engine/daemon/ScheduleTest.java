package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ScheduleSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static Schedule schedule(String text) {
        return new Schedule(ScheduleSpec.parse(text), UTC, new Random(1));
    }

    private static Instant t(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void everyAddsTheIntervalToTheLastStart() {
        assertEquals(Optional.of(t("2025-01-01T01:00:00Z")), schedule("every 1h").next(t("2025-01-01T00:00:00Z")));
        assertEquals(Optional.of(t("2025-01-01T00:01:30Z")), schedule("every 1m30s").next(t("2025-01-01T00:00:00Z")));
    }

    @Test
    void manualNeverRuns() {
        Schedule s = schedule("manual");
        assertEquals(Optional.empty(), s.next(t("2025-01-01T00:00:00Z")));
        assertEquals(Optional.empty(), s.firstRun(Optional.of(t("2020-01-01T00:00:00Z")), t("2025-01-01T00:00:00Z")));
    }

    @Test
    void cronFindsTheNextMatchingMinute() {
        Schedule daily = schedule("30 3 * * *");
        assertEquals(Optional.of(t("2025-01-01T03:30:00Z")), daily.next(t("2025-01-01T00:00:00Z")));
        assertEquals(Optional.of(t("2025-01-02T03:30:00Z")), daily.next(t("2025-01-01T03:30:00Z")));
        Schedule steps = schedule("*/15 * * * *");
        assertEquals(Optional.of(t("2025-01-01T00:15:00Z")), steps.next(t("2025-01-01T00:00:00Z")));
        assertEquals(Optional.of(t("2025-01-01T00:45:00Z")), steps.next(t("2025-01-01T00:44:59Z")));
        // 2025-01-04 is a Saturday; weekdays only at 22:00
        assertEquals(Optional.of(t("2025-01-06T22:00:00Z")), schedule("0 22 * * 1-5").next(t("2025-01-03T22:00:00Z")));
        // Sunday as 7 and as 0
        assertEquals(Optional.of(t("2025-01-05T00:00:00Z")), schedule("0 0 * * 7").next(t("2025-01-01T00:00:00Z")));
        assertEquals(Optional.of(t("2025-01-05T00:00:00Z")), schedule("0 0 * * 0").next(t("2025-01-01T00:00:00Z")));
        // both day fields restricted: either matches (1st of the month or a Sunday)
        assertEquals(Optional.of(t("2025-02-01T00:00:00Z")), schedule("0 0 1 * 0").next(t("2025-01-26T00:00:00Z")));
        assertEquals(Optional.of(t("2028-02-29T12:00:00Z")), schedule("0 12 29 2 *").next(t("2025-01-01T00:00:00Z")));
        assertEquals(Optional.empty(), schedule("0 0 30 2 *").next(t("2025-01-01T00:00:00Z")));
    }

    @Test
    void cronUsesTheZone() {
        Schedule berlin = new Schedule(ScheduleSpec.parse("0 3 * * *"), ZoneId.of("Europe/Berlin"), new Random(1));
        assertEquals(Optional.of(t("2025-01-01T02:00:00Z")), berlin.next(t("2025-01-01T00:00:00Z")));
        assertEquals(Optional.of(t("2025-07-01T01:00:00Z")), berlin.next(t("2025-07-01T00:00:00Z")));
    }

    @Test
    void aMissedSlotRunsOnceAtStartHoweverManyWereMissed() {
        Schedule s = schedule("every 1h");
        Instant now = t("2025-01-10T12:00:00Z");
        // down for three days: one run, now
        assertEquals(Optional.of(now), s.firstRun(Optional.of(t("2025-01-07T12:00:00Z")), now));
        // last run 20 minutes ago: nothing missed, the next slot
        assertEquals(Optional.of(t("2025-01-10T12:40:00Z")), s.firstRun(Optional.of(t("2025-01-10T11:40:00Z")), now));
        // never ran: wait for the first slot
        assertEquals(Optional.of(t("2025-01-10T13:00:00Z")), s.firstRun(Optional.empty(), now));
        Schedule cron = schedule("0 3 * * *");
        assertEquals(Optional.of(now), cron.firstRun(Optional.of(t("2025-01-01T03:00:00Z")), now));
        assertEquals(Optional.of(t("2025-01-11T03:00:00Z")), cron.firstRun(Optional.of(t("2025-01-10T03:00:00Z")), now));
    }

    @Test
    void slotsPassedDuringALongRunAreSkipped() {
        Schedule s = schedule("every 1h");
        // the run started at 10:00 and took 2.5 hours: next is one interval from now, not a burst of catch-up runs
        assertEquals(Optional.of(t("2025-01-01T13:30:00Z")),
                s.afterRun(t("2025-01-01T10:00:00Z"), t("2025-01-01T12:30:00Z")));
        assertEquals(Optional.of(t("2025-01-01T11:00:00Z")),
                s.afterRun(t("2025-01-01T10:00:00Z"), t("2025-01-01T10:05:00Z")));
    }

    @Test
    void jitterStaysWithinItsBoundAndVaries() {
        Schedule s = new Schedule(ScheduleSpec.parse("every 1h jitter 10m"), UTC, new Random(7));
        Instant start = t("2025-01-01T00:00:00Z");
        Instant slot = t("2025-01-01T01:00:00Z");
        long distinct = java.util.stream.IntStream.range(0, 200).mapToObj(i -> s.afterRun(start, start).orElseThrow())
                .peek(due -> {
                    assertTrue(!due.isBefore(slot), due.toString());
                    assertTrue(!due.isAfter(slot.plus(Duration.ofMinutes(10))), due.toString());
                }).distinct().count();
        assertTrue(distinct > 100, "jitter should vary: " + distinct);
    }

    @Test
    void badSchedulesAreRejectedWithASentence() {
        for (String bad : new String[] {"", "hourly", "every", "every 1x", "every 0s", "61 * * * *", "* * * *",
                "5-1 * * * *", "every 1m jitter 2m", "*/0 * * * *", "0 0 32 * *"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.parse(bad),
                    bad);
            assertTrue(e.getMessage().length() > 20, e.getMessage());
        }
    }
}
