package dev.sluice.engine.retention;

import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Applies a {@link RetentionPolicy} to snapshot headers, without the key: decides for every snapshot
 * whether it is kept and by which rules.
 *
 * <p>Snapshots are grouped by (job, host) and each group is judged on its own. Inside a group, for each
 * bucket rule (hourly, daily, weekly, monthly, yearly; calendar buckets in UTC, ISO weeks starting on
 * Monday), the snapshots are walked newest first and the newest snapshot of each bucket is kept, until N
 * buckets have been kept: these are the N most recent buckets that hold a snapshot, counted back from the
 * group's newest snapshot, so a source that was offline for a month keeps its history. {@code keepLast}
 * keeps the N newest snapshots; {@code keepWithin} keeps every snapshot not older than the newest minus
 * the duration. The planner only reads the time stored in each record; which clock wrote that time (the
 * sink's receipt clock, for remote sources) is the writer's concern. Ties in time are broken by id.
 */
public final class RetentionPlanner {

    /** Newest first; equal times by id, descending, so the result never depends on listing order. */
    private static final Comparator<Item> NEWEST_FIRST = Comparator.comparing((Item i) -> i.snapshot.time())
            .thenComparing(i -> i.id).reversed();

    private RetentionPlanner() {}

    /**
     * Decides for every snapshot; the result lists them grouped by job, then host, oldest first.
     *
     * @throws IllegalArgumentException if the policy has no rule on, since it would forget every snapshot
     */
    public static List<RetentionDecision> plan(Collection<SnapshotRecord> snapshots, RetentionPolicy policy) {
        if (policy.isEmpty()) {
            throw new IllegalArgumentException("the retention policy keeps nothing (no keep rule is set), so it"
                    + " would forget every snapshot; set at least one of keep-last, keep-hourly, keep-daily,"
                    + " keep-weekly, keep-monthly, keep-yearly or keep-within");
        }
        Map<String, List<Item>> groups = new LinkedHashMap<>();
        List<SnapshotRecord> ordered = new ArrayList<>(snapshots);
        ordered.sort(Comparator.comparing(SnapshotRecord::job).thenComparing(SnapshotRecord::host));
        for (SnapshotRecord s : ordered) {
            groups.computeIfAbsent(s.job() + "\u0000" + s.host(), k -> new ArrayList<>()).add(new Item(s));
        }
        List<RetentionDecision> decisions = new ArrayList<>(snapshots.size());
        for (List<Item> group : groups.values()) {
            group.sort(NEWEST_FIRST);
            decide(group, policy);
            for (int i = group.size() - 1; i >= 0; i--) {
                Item item = group.get(i);
                decisions.add(new RetentionDecision(item.id, item.snapshot, item.rules));
            }
        }
        return decisions;
    }

    private static void decide(List<Item> newestFirst, RetentionPolicy policy) {
        for (int i = 0; i < Math.min(policy.keepLast(), newestFirst.size()); i++) {
            newestFirst.get(i).rules.add(RetentionRule.LAST);
        }
        bucket(newestFirst, policy.keepHourly(), RetentionRule.HOURLY, t -> Math.floorDiv(t.getEpochSecond(), 3600));
        bucket(newestFirst, policy.keepDaily(), RetentionRule.DAILY, t -> Math.floorDiv(t.getEpochSecond(), 86400));
        bucket(newestFirst, policy.keepWeekly(), RetentionRule.WEEKLY, t -> {
            LocalDateTime d = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
            return d.get(IsoFields.WEEK_BASED_YEAR) * 100L + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        });
        bucket(newestFirst, policy.keepMonthly(), RetentionRule.MONTHLY, t -> {
            LocalDateTime d = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
            return d.getYear() * 12L + d.getMonthValue() - 1;
        });
        bucket(newestFirst, policy.keepYearly(), RetentionRule.YEARLY,
                t -> LocalDateTime.ofInstant(t, ZoneOffset.UTC).getYear());
        if (!policy.keepWithin().isZero() && !newestFirst.isEmpty()) {
            Instant oldest = newestFirst.get(0).snapshot.time().minus(policy.keepWithin());
            for (Item item : newestFirst) {
                if (item.snapshot.time().isBefore(oldest)) {
                    break;
                }
                item.rules.add(RetentionRule.WITHIN);
            }
        }
    }

    /** Keeps the first (newest) snapshot of each new bucket key met while walking newest first, N times. */
    private static void bucket(List<Item> newestFirst, int n, RetentionRule rule, ToLongFunction<Instant> key) {
        int kept = 0;
        boolean first = true;
        long last = 0;
        for (Item item : newestFirst) {
            if (kept == n) {
                return;
            }
            long k = key.applyAsLong(item.snapshot.time());
            if (first || k != last) {
                item.rules.add(rule);
                kept++;
                first = false;
                last = k;
            }
        }
    }

    private static final class Item {
        final SnapshotRecord snapshot;
        final SnapshotId id;
        final Set<RetentionRule> rules = EnumSet.noneOf(RetentionRule.class);

        Item(SnapshotRecord snapshot) {
            this.snapshot = snapshot;
            this.id = snapshot.id();
        }
    }
}
