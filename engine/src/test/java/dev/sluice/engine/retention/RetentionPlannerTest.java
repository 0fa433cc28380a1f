package dev.sluice.engine.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.WeekFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The planner against expectations computed a different way (group into buckets, then take the last N). */
class RetentionPlannerTest {
    private static final BlobId REFS = BlobId.of(new byte[32]);

    /** A clock the test moves by hand, as a sink's receipt clock would advance. */
    private static final class ManualClock extends Clock {
        private Instant now;

        ManualClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException(); }
        @Override public Instant instant() { return now; }
    }

    private static SnapshotRecord snapshot(String job, String host, Instant time, int n) {
        return SnapshotRecord.create(job, host, time, null, n, 0, 0, 0, 0, REFS, new byte[] {(byte) n, (byte) (n >> 8),
                (byte) (n >> 16)});
    }

    /** Two years of hourly snapshots with jitter, a month offline in the middle and some missed hours. */
    private static List<SnapshotRecord> twoYears(String job, String host, long seed) {
        Random random = new Random(seed);
        ManualClock clock = new ManualClock(Instant.parse("2023-02-26T21:00:00Z"));
        List<SnapshotRecord> out = new ArrayList<>();
        for (int hour = 0; hour < 2 * 365 * 24; hour++) {
            boolean offline = hour >= 9000 && hour < 9000 + 31 * 24;
            if (!offline && random.nextInt(50) != 0) {
                Instant t = clock.instant().plusSeconds(random.nextInt(3600));
                out.add(snapshot(job, host, t, hour));
            }
            clock.advance(Duration.ofHours(1));
        }
        return out;
    }

    /** Brute force: bucket every snapshot, keep the newest of each of the N largest bucket keys. */
    private static Set<SnapshotId> lastBuckets(List<SnapshotRecord> group, int n, Function<Instant, Object> key) {
        TreeMap<String, SnapshotRecord> newestPerBucket = new TreeMap<>();
        Comparator<SnapshotRecord> order = Comparator.comparing(SnapshotRecord::time).thenComparing(SnapshotRecord::id);
        for (SnapshotRecord s : group) {
            newestPerBucket.merge(String.valueOf(key.apply(s.time())), s, (a, b) -> order.compare(a, b) >= 0 ? a : b);
        }
        List<SnapshotRecord> buckets = new ArrayList<>(newestPerBucket.values());
        buckets.sort(order.reversed());
        return buckets.stream().limit(n).map(SnapshotRecord::id).collect(Collectors.toSet());
    }

    private static Map<SnapshotId, Set<RetentionRule>> expected(List<SnapshotRecord> all, RetentionPolicy p) {
        Map<SnapshotId, Set<RetentionRule>> keep = new HashMap<>();
        Map<String, List<SnapshotRecord>> groups = all.stream().collect(Collectors.groupingBy(s -> s.job() + "/" + s.host()));
        for (List<SnapshotRecord> g : groups.values()) {
            List<SnapshotRecord> newest = new ArrayList<>(g);
            newest.sort(Comparator.comparing(SnapshotRecord::time).thenComparing(SnapshotRecord::id).reversed());
            Map<RetentionRule, Set<SnapshotId>> byRule = new HashMap<>();
            byRule.put(RetentionRule.LAST, newest.stream().limit(p.keepLast()).map(SnapshotRecord::id)
                    .collect(Collectors.toSet()));
            // bucket keys as zero-padded text, so that text order is time order
            byRule.put(RetentionRule.HOURLY, lastBuckets(g, p.keepHourly(),
                    t -> ZonedDateTime.ofInstant(t, ZoneOffset.UTC).toString().substring(0, 13)));
            byRule.put(RetentionRule.DAILY, lastBuckets(g, p.keepDaily(),
                    t -> ZonedDateTime.ofInstant(t, ZoneOffset.UTC).toLocalDate().toString()));
            byRule.put(RetentionRule.WEEKLY, lastBuckets(g, p.keepWeekly(), t -> {
                ZonedDateTime d = ZonedDateTime.ofInstant(t, ZoneOffset.UTC);
                return String.format("%04d-%02d", d.get(WeekFields.ISO.weekBasedYear()),
                        d.get(WeekFields.ISO.weekOfWeekBasedYear()));
            }));
            byRule.put(RetentionRule.MONTHLY, lastBuckets(g, p.keepMonthly(),
                    t -> ZonedDateTime.ofInstant(t, ZoneOffset.UTC).toString().substring(0, 7)));
            byRule.put(RetentionRule.YEARLY, lastBuckets(g, p.keepYearly(),
                    t -> ZonedDateTime.ofInstant(t, ZoneOffset.UTC).toString().substring(0, 4)));
            Instant newestTime = newest.get(0).time();
            byRule.put(RetentionRule.WITHIN, p.keepWithin().isZero() ? Set.of() : g.stream()
                    .filter(s -> Duration.between(s.time(), newestTime).compareTo(p.keepWithin()) <= 0)
                    .map(SnapshotRecord::id).collect(Collectors.toSet()));
            for (SnapshotRecord s : g) {
                Set<RetentionRule> rules = new HashSet<>();
                byRule.forEach((rule, ids) -> {
                    if (ids.contains(s.id())) {
                        rules.add(rule);
                    }
                });
                keep.put(s.id(), rules);
            }
        }
        return keep;
    }

    private static Map<SnapshotId, Set<RetentionRule>> actual(List<SnapshotRecord> all, RetentionPolicy p) {
        Map<SnapshotId, Set<RetentionRule>> out = new HashMap<>();
        for (RetentionDecision d : RetentionPlanner.plan(all, p)) {
            out.put(d.id(), d.rules());
        }
        return out;
    }

    @Test
    void twoYearsOfHourlySnapshotsKeepExactlyWhatTheRulesPredict() {
        List<SnapshotRecord> all = new ArrayList<>(twoYears("web", "a", 1));
        all.addAll(twoYears("web", "b", 2));
        all.addAll(twoYears("db", "a", 3));
        RetentionPolicy policy = new RetentionPolicy(3, 36, 10, 6, 18, 5, Duration.ofDays(2));
        Map<SnapshotId, Set<RetentionRule>> expected = expected(all, policy);
        Map<SnapshotId, Set<RetentionRule>> actual = actual(all, policy);
        assertEquals(all.size(), actual.size(), "one decision per snapshot");
        assertEquals(expected, actual);
        long kept = actual.values().stream().filter(r -> !r.isEmpty()).count();
        // Per group: within 2 days ~ 47, plus daily/weekly/monthly/yearly beyond it; far fewer than 17 000.
        assertTrue(kept > 3 * 60 && kept < 3 * 120, "kept " + kept);
        // Each bucket rule keeps exactly N per group (every group has more than N buckets).
        for (RetentionRule rule : List.of(RetentionRule.HOURLY, RetentionRule.DAILY, RetentionRule.WEEKLY,
                RetentionRule.MONTHLY)) {
            long n = actual.values().stream().filter(r -> r.contains(rule)).count();
            int per = switch (rule) {
                case HOURLY -> 36;
                case DAILY -> 10;
                case WEEKLY -> 6;
                default -> 18;
            };
            assertEquals(3L * per, n, rule.toString());
        }
        // Two years starting in February 2023 touch 2023, 2024 and 2025: only three yearly buckets exist.
        assertEquals(9, actual.values().stream().filter(r -> r.contains(RetentionRule.YEARLY)).count());
    }

    @Test
    void otherPoliciesOnTheSameHistoryMatchTooIncludingEachRuleAlone() {
        List<SnapshotRecord> all = twoYears("web", "a", 7);
        List<RetentionPolicy> policies = List.of(
                RetentionPolicy.NONE.withKeepLast(10),
                RetentionPolicy.NONE.withKeepHourly(100),
                RetentionPolicy.NONE.withKeepDaily(400),
                RetentionPolicy.NONE.withKeepWeekly(60),
                RetentionPolicy.NONE.withKeepMonthly(30),
                RetentionPolicy.NONE.withKeepYearly(1),
                RetentionPolicy.NONE.withKeepWithin(Duration.ofDays(40)),
                new RetentionPolicy(0, 0, 7, 4, 12, 0, Duration.ZERO));
        for (RetentionPolicy p : policies) {
            assertEquals(expected(all, p), actual(all, p), p.describe());
        }
    }

    @Test
    void exactHourlySnapshotsKeepTheNewestOfEachDay() {
        Instant start = Instant.parse("2025-01-01T00:30:00Z");
        List<SnapshotRecord> all = new ArrayList<>();
        for (int h = 0; h < 10 * 24; h++) {
            all.add(snapshot("j", "h", start.plus(Duration.ofHours(h)), h));
        }
        List<RetentionDecision> plan = RetentionPlanner.plan(all, RetentionPolicy.NONE.withKeepDaily(3));
        List<Integer> keptHours = plan.stream().filter(RetentionDecision::keep)
                .map(d -> (int) d.snapshot().files()).toList();
        // days 8 and 9 end at 23:30 (hours 215, 239); the newest day's newest is the last snapshot
        assertEquals(List.of(7 * 24 + 23, 8 * 24 + 23, 9 * 24 + 23), keptHours);
        assertEquals(all.size(), plan.size());
        // oldest first in the result
        for (int i = 1; i < plan.size(); i++) {
            assertTrue(!plan.get(i).snapshot().time().isBefore(plan.get(i - 1).snapshot().time()));
        }
    }

    @Test
    void aHostOfflineForAMonthKeepsItsHistoryBecauseBucketsCountFromTheNewestSnapshot() {
        Instant start = Instant.parse("2025-01-01T12:00:00Z");
        List<SnapshotRecord> all = new ArrayList<>();
        for (int d = 0; d < 30; d++) {
            all.add(snapshot("j", "h", start.plus(Duration.ofDays(d)), d));
        }
        // offline for 30 days, then three more days
        for (int d = 60; d < 63; d++) {
            all.add(snapshot("j", "h", start.plus(Duration.ofDays(d)), d));
        }
        List<Integer> kept = RetentionPlanner.plan(all, RetentionPolicy.NONE.withKeepDaily(7)).stream()
                .filter(RetentionDecision::keep).map(d -> (int) d.snapshot().files()).toList();
        assertEquals(List.of(26, 27, 28, 29, 60, 61, 62), kept);
        // and without the three new days nothing at all is lost: the planner knows no "now"
        List<Integer> before = RetentionPlanner.plan(all.subList(0, 30), RetentionPolicy.NONE.withKeepDaily(7)).stream()
                .filter(RetentionDecision::keep).map(d -> (int) d.snapshot().files()).toList();
        assertEquals(List.of(23, 24, 25, 26, 27, 28, 29), before);
    }

    @Test
    void isoWeeksStartOnMondayAcrossTheYearBoundary() {
        List<SnapshotRecord> all = List.of(
                snapshot("j", "h", Instant.parse("2024-12-28T10:00:00Z"), 1), // Saturday, 2024-W52
                snapshot("j", "h", Instant.parse("2024-12-29T23:59:59Z"), 2), // Sunday, 2024-W52
                snapshot("j", "h", Instant.parse("2024-12-30T00:00:00Z"), 3), // Monday, 2025-W01
                snapshot("j", "h", Instant.parse("2025-01-05T08:00:00Z"), 4)); // Sunday, 2025-W01
        List<Integer> kept = RetentionPlanner.plan(all, RetentionPolicy.NONE.withKeepWeekly(5)).stream()
                .filter(RetentionDecision::keep).map(d -> (int) d.snapshot().files()).toList();
        assertEquals(List.of(2, 4), kept);
    }

    @Test
    void groupsAreJudgedSeparatelyAndEveryKeptSnapshotNamesItsRules() {
        Instant t = Instant.parse("2025-05-01T00:00:00Z");
        List<SnapshotRecord> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(snapshot("j", "a", t.plusSeconds(60L * i), i));
            all.add(snapshot("j", "b", t.plusSeconds(60L * i + 1), 100 + i));
        }
        List<RetentionDecision> plan = RetentionPlanner.plan(all, new RetentionPolicy(2, 0, 1, 0, 0, 0, Duration.ZERO));
        Map<Integer, String> rules = new HashMap<>();
        for (RetentionDecision d : plan) {
            rules.put((int) d.snapshot().files(), d.rulesText());
        }
        assertEquals("last,daily", rules.get(4));
        assertEquals("last", rules.get(3));
        assertEquals("", rules.get(2));
        assertEquals("last,daily", rules.get(104));
        assertEquals("last", rules.get(103));
        assertEquals(4, plan.stream().filter(RetentionDecision::keep).count());
    }

    @Test
    void equalTimesAreOrderedByIdSoTheResultDoesNotDependOnInputOrder() {
        Instant t = Instant.parse("2025-05-01T00:00:00Z");
        List<SnapshotRecord> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(snapshot("j", "h", t, i));
        }
        Set<SnapshotId> first = new HashSet<>();
        RetentionPlanner.plan(all, RetentionPolicy.NONE.withKeepLast(2)).stream().filter(RetentionDecision::keep)
                .forEach(d -> first.add(d.id()));
        List<SnapshotRecord> reversed = new ArrayList<>(all);
        java.util.Collections.reverse(reversed);
        Set<SnapshotId> second = new HashSet<>();
        RetentionPlanner.plan(reversed, RetentionPolicy.NONE.withKeepLast(2)).stream().filter(RetentionDecision::keep)
                .forEach(d -> second.add(d.id()));
        assertEquals(2, first.size());
        assertEquals(first, second);
    }

    @Test
    void aPolicyThatKeepsNothingIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RetentionPlanner.plan(List.of(snapshot("j", "h", Instant.EPOCH, 1)), RetentionPolicy.NONE));
        assertTrue(e.getMessage().contains("keeps nothing"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Pruner.Scope(null, null, RetentionPolicy.NONE));
        assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.NONE.withKeepDaily(-1));
        assertEquals("last 2, daily 7, within 1d", new RetentionPolicy(2, 0, 7, 0, 0, 0, Duration.ofDays(1)).describe());
    }

    @Test
    void theRateLimitCountsOnlyTheSameJobAndHostInTheLastHour() throws Exception {
        Instant now = Instant.parse("2025-05-01T12:00:00Z");
        List<SnapshotRecord> stored = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stored.add(snapshot("j", "h", now.minusSeconds(600L * (i + 1)), i));
        }
        stored.add(snapshot("j", "h", now.minusSeconds(3600), 9)); // exactly an hour ago: outside the window
        stored.add(snapshot("j", "other", now.minusSeconds(60), 10));
        stored.add(snapshot("k", "h", now.minusSeconds(60), 11));
        SnapshotRateLimit limit = new SnapshotRateLimit(4);
        limit.check(stored, "j", "h", now);
        stored.add(snapshot("j", "h", now.minusSeconds(5), 12));
        SnapshotRateLimitException e = assertThrows(SnapshotRateLimitException.class,
                () -> limit.check(stored, "j", "h", now));
        assertTrue(e.getMessage().contains("at most 4"), e.getMessage());
        limit.check(stored, "j", "h", now.plusSeconds(1801)); // the 11:30 one has left the window
        assertThrows(IllegalArgumentException.class, () -> new SnapshotRateLimit(0));
    }
}
