package dev.sluice.engine.retention;

import dev.sluice.engine.gc.GarbageCollector;
import dev.sluice.engine.gc.GcOptions;
import dev.sluice.engine.gc.GcResult;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryLayout;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One prune of a local repository, without the key: takes the exclusive lock (a shared one for a dry run),
 * opens the repository under it, applies each scope's policy to the snapshots the scope selects, and hands
 * the forgotten ones to the {@link GarbageCollector}. The CLI and (later) the daemon call this.
 */
public final class Pruner {

    /** Which snapshots a policy judges: a job name and a host, each null for "any". */
    public record Scope(String job, String host, RetentionPolicy policy) {
        public Scope {
            Objects.requireNonNull(policy, "policy");
            if (policy.isEmpty()) {
                throw new IllegalArgumentException("the retention policy for " + describe(job, host) + " keeps"
                        + " nothing; set at least one keep rule");
            }
        }

        public boolean selects(SnapshotRecord s) {
            return (job == null || job.equals(s.job())) && (host == null || host.equals(s.host()));
        }

        /** For messages: {@code job 'web' of host 'a'}, or {@code all snapshots}. */
        public String describe() {
            return describe(job, host);
        }

        private static String describe(String job, String host) {
            if (job == null && host == null) {
                return "all snapshots";
            }
            return (job == null ? "every job" : "job '" + job + "'") + (host == null ? "" : " of host '" + host + "'");
        }
    }

    /** The decisions per scope (in scope order) and what garbage collection did. */
    public record Outcome(List<List<RetentionDecision>> decisions, GcResult gc) {
        public Outcome {
            decisions = decisions.stream().map(List::copyOf).toList();
            Objects.requireNonNull(gc, "gc");
        }

        /** Whether garbage was collected (false when {@link Collect#WHEN_FORGETTING} found nothing to forget). */
        public boolean collected() {
            return !gc.notes().contains(GC_SKIPPED);
        }
    }

    /** The note of a result whose garbage collection was skipped ({@link Collect#WHEN_FORGETTING}). */
    public static final String GC_SKIPPED = "no snapshot is forgotten; garbage collection skipped";

    /** When garbage is collected. */
    public enum Collect {
        /** Always, also when the policies forget nothing (it then still removes leftovers of interrupted runs). */
        ALWAYS,
        /**
         * Only when the policies forget at least one snapshot: for the daemon's frequent automatic prunes (after
         * every snapshot, after every push session), which then cost only the planning when nothing expires.
         */
        WHEN_FORGETTING
    }

    private Pruner() {}

    /**
     * Prunes the repository at {@code root}. A snapshot is forgotten only if some scope selects it and every
     * scope that selects it forgets it; snapshots no scope selects are kept and not reported.
     */
    public static Outcome run(Path root, List<Scope> scopes, GcOptions options, RepositoryLock.Owner owner,
                              Clock clock) throws IOException {
        return run(root, scopes, options, owner, clock, Collect.ALWAYS);
    }

    /**
     * As {@link #run(Path, List, GcOptions, RepositoryLock.Owner, Clock)}; with {@link Collect#WHEN_FORGETTING}
     * and nothing to forget, the result's garbage collection part is all zeros with a note saying it was skipped.
     */
    public static Outcome run(Path root, List<Scope> scopes, GcOptions options, RepositoryLock.Owner owner,
                              Clock clock, Collect collect) throws IOException {
        RepositoryLayout layout = new RepositoryLayout(root);
        if (!Files.isRegularFile(layout.config())) {
            Repository.open(root).close(); // throws the usual "not a repository" error
        }
        RepositoryLock.Mode mode = options.dryRun() ? RepositoryLock.Mode.SHARED : RepositoryLock.Mode.EXCLUSIVE;
        try (RepositoryLock lock = RepositoryLock.acquire(layout, mode, owner, clock);
                Repository repository = Repository.open(root)) {
            List<SnapshotRecord> all = repository.listSnapshots().snapshots();
            List<List<RetentionDecision>> decisions = new ArrayList<>();
            Set<SnapshotId> forgotten = new HashSet<>();
            Set<SnapshotId> kept = new HashSet<>();
            for (Scope scope : scopes) {
                List<SnapshotRecord> selected = all.stream().filter(scope::selects).toList();
                List<RetentionDecision> plan = RetentionPlanner.plan(selected, scope.policy());
                decisions.add(plan);
                for (RetentionDecision d : plan) {
                    (d.keep() ? kept : forgotten).add(d.id());
                }
            }
            forgotten.removeAll(kept);
            if (forgotten.isEmpty() && collect == Collect.WHEN_FORGETTING) {
                return new Outcome(decisions, new GcResult(options.dryRun(), 0, all.size(), 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 0, 0, List.of(GC_SKIPPED)));
            }
            GcResult gc = new GarbageCollector(repository, options).collect(forgotten);
            return new Outcome(decisions, gc);
        }
    }
}
