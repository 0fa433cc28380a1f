package dev.sluice.engine.retention;

import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** What a policy decided for one snapshot: keep (and by which rules) or forget. */
public record RetentionDecision(SnapshotId id, SnapshotRecord snapshot, Set<RetentionRule> rules) {
    public RetentionDecision {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(snapshot, "snapshot");
        rules = rules.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(rules));
    }

    /** True if at least one rule keeps the snapshot. */
    public boolean keep() {
        return !rules.isEmpty();
    }

    /** The rules that keep it, in policy order, e.g. {@code daily,weekly}; empty when forgotten. */
    public String rulesText() {
        StringBuilder s = new StringBuilder();
        for (RetentionRule r : EnumSet.copyOf(rules.isEmpty() ? EnumSet.noneOf(RetentionRule.class) : rules)) {
            if (s.length() > 0) {
                s.append(',');
            }
            s.append(r.label());
        }
        return s.toString();
    }
}
