package dev.sluice.engine.daemon;

import dev.sluice.engine.config.ConfigException;
import dev.sluice.engine.config.ConfigProblem;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.ScheduleSpec;
import dev.sluice.engine.config.SluiceConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The jobs of one configuration, scheduled: starts each job's schedule, wakes and cancels jobs on request, takes
 * a new configuration without interrupting runs in progress, and shuts down gracefully. The control socket and
 * the signal handlers drive it; it knows nothing of sockets.
 */
public final class Daemon {

    /**
     * What a reload did: the jobs added, removed and changed and what changed towards peers (listeners, sink, mirror
     * receiver, reverse-pull dials), or every problem of a rejected file.
     */
    public record Reload(boolean accepted, List<String> added, List<String> removed, List<String> changed,
            List<String> problems, List<String> services) {
        public Reload {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
            problems = List.copyOf(problems);
            services = List.copyOf(services);
        }

        /** A reload that changed nothing towards peers. */
        public Reload(boolean accepted, List<String> added, List<String> removed, List<String> changed,
                List<String> problems) {
            this(accepted, added, removed, changed, problems, List.of());
        }
    }

    /** The daemon's side towards its peers, brought in line with each accepted configuration. */
    public interface Peers {
        /** Nothing towards peers. */
        Peers NONE = next -> List.of();

        /**
         * Applies the listeners, sink, mirror receiver and dials of {@code next}.
         *
         * @return one line per change
         * @throws IOException when {@code next} cannot be applied; nothing changed then
         */
        List<String> reload(SluiceConfig next) throws IOException;
    }

    /** What a job's prune slot name adds to the job name. */
    private static final String PRUNE_SUFFIX = ":prune";

    private final JobSlot.Context context;
    private final Callable<SluiceConfig> loader;
    private final Function<JobSpec, Optional<Instant>> lastRuns;
    private final EventLog log;
    private final Map<String, JobSlot> slots = new LinkedHashMap<>();
    /** The prune slots ({@code JOB:prune}) of jobs whose retention has a schedule, by slot name. */
    private final Map<String, JobSlot> pruneSlots = new LinkedHashMap<>();
    private final JobSlot.Context pruneContext;
    private volatile Peers peers = Peers.NONE;
    private volatile SluiceConfig config;
    private boolean stopping;

    /**
     * @param loader reads and validates the configuration file (again on each reload)
     * @param lastRuns when each job last ran before this start (from its repository), for the missed-run rule
     */
    public Daemon(SluiceConfig initial, Callable<SluiceConfig> loader, JobSlot.Context context,
            Function<JobSpec, Optional<Instant>> lastRuns, EventLog log) {
        this(initial, loader, context, null, lastRuns, log);
    }

    /**
     * @param pruneContext runs the prune slots of jobs whose {@code retention} has a schedule (its runner a
     *     {@link PruneJobRunner}), or null for a daemon without them
     */
    public Daemon(SluiceConfig initial, Callable<SluiceConfig> loader, JobSlot.Context context,
            JobSlot.Context pruneContext, Function<JobSpec, Optional<Instant>> lastRuns, EventLog log) {
        this.pruneContext = pruneContext;
        this.config = initial;
        this.loader = loader;
        this.context = context;
        this.lastRuns = lastRuns;
        this.log = log;
    }

    public SluiceConfig config() {
        return config;
    }

    /** Creates a slot per job and schedules each one's first run. */
    public synchronized void start() {
        for (JobSpec job : config.jobs()) {
            add(job);
        }
        for (JobSpec job : config.jobs()) {
            if (prunesOnSchedule(job)) {
                addPrune(job);
            }
        }
    }

    /** The name of a job's prune slot; it cannot clash with a job name, which has no colon. */
    public static String pruneSlotName(String job) {
        return job + PRUNE_SUFFIX;
    }

    private boolean prunesOnSchedule(JobSpec job) {
        return pruneContext != null && job.retention() != null
                && !(job.retention().schedule() instanceof ScheduleSpec.Manual);
    }

    /**
     * A prune slot waits for its first slot: unlike a backup it does not run at once for a slot missed while the
     * daemon was down, since every successful backup prunes too.
     */
    private void addPrune(JobSpec job) {
        String name = pruneSlotName(job.name());
        JobSlot slot = new JobSlot(name, job, config, pruneContext, j -> j.retention().schedule(), Optional.empty());
        pruneSlots.put(name, slot);
        slot.start(Optional.empty());
        log.info("job.scheduled", "job", name, "schedule", job.retention().schedule().text(),
                "next", slot.view().nextRun());
    }

    private void add(JobSpec job) {
        JobSlot slot = new JobSlot(job, config, context, Optional.empty());
        slots.put(job.name(), slot);
        Optional<Instant> last = job.schedule() instanceof dev.sluice.engine.config.ScheduleSpec.Manual
                ? Optional.empty() : lastRuns.apply(job);
        slot.start(last);
        log.info("job.scheduled", "job", job.name(), "schedule", job.schedule().text(),
                "next", slot.view().nextRun());
    }

    /** The current definition of a job, or null. */
    public synchronized JobSpec job(String name) {
        JobSlot slot = slots.get(name);
        return slot == null ? null : slot.spec();
    }

    private JobSlot slot(String name) {
        JobSlot slot = slots.get(name);
        return slot != null ? slot : pruneSlots.get(name);
    }

    /** Every job's state, in configuration order. */
    public synchronized List<JobSlot.View> status() {
        List<JobSlot.View> views = new ArrayList<>();
        for (JobSlot slot : slots.values()) {
            views.add(slot.view());
        }
        for (JobSlot slot : pruneSlots.values()) {
            views.add(slot.view());
        }
        return views;
    }

    /** Wakes a job now; empty when there is no such job. The Mono gives the run's status. */
    public synchronized Optional<Mono<Integer>> run(String name) {
        return run(name, "control");
    }

    /** Wakes a job now, saying why in its log line ({@code control}, {@code pull}); empty when there is no such job. */
    public synchronized Optional<Mono<Integer>> run(String name, String trigger) {
        return wake(name, slot -> slot.wake(trigger)).map(run -> run.map(RunReport::status));
    }

    /**
     * Runs a job for a command that handed it over ({@code sluice mirror} with this daemon's configuration): a run
     * that starts after this call, also when one is running now. Empty when there is no such job; the Mono gives
     * the run's report.
     */
    public synchronized Optional<Mono<RunReport>> runHandedOver(String name) {
        return wake(name, slot -> slot.wakeAfterCurrent("command"));
    }

    /** Wakes the slot named {@code name} with {@code how}; empty when there is none, an error while stopping. */
    private Optional<Mono<RunReport>> wake(String name, java.util.function.Function<JobSlot, Mono<RunReport>> how) {
        if (stopping) {
            return Optional.of(Mono.error(new IllegalStateException("the daemon is shutting down")));
        }
        JobSlot slot = slot(name);
        return slot == null ? Optional.empty() : Optional.of(how.apply(slot));
    }

    /** Cancels a job's run; empty when there is no such job, false when it was not running. */
    public synchronized Optional<Boolean> cancel(String name) {
        JobSlot slot = slot(name);
        if (slot == null) {
            return Optional.empty();
        }
        boolean was = slot.cancel("sluice cancel");
        if (was) {
            log.info("job.cancel", "job", name);
        }
        return Optional.of(was);
    }

    /** Who brings the side towards peers in line with each reloaded configuration (before the jobs change). */
    public void peers(Peers peers) {
        this.peers = Objects.requireNonNull(peers, "peers");
    }

    /**
     * Reads the configuration file again. A valid file takes over: new jobs are scheduled, removed jobs stop being
     * scheduled (a run in progress finishes), changed jobs use their new definition from their next run. An
     * invalid file changes nothing and its problems are returned.
     */
    public synchronized Reload reload() {
        SluiceConfig next;
        try {
            next = loader.call();
        } catch (ConfigException e) {
            List<String> problems = e.problems().stream().map(ConfigProblem::toString).toList();
            log.error("config.rejected", "file", config.file(), "problems", problems.size(),
                    "first", problems.get(0));
            return new Reload(false, List.of(), List.of(), List.of(), problems);
        } catch (Exception e) {
            String problem = config.file() + ": " + e.getMessage();
            log.error("config.rejected", "file", config.file(), "error", e.getMessage());
            return new Reload(false, List.of(), List.of(), List.of(), List.of(problem));
        }
        if (stopping) {
            return new Reload(false, List.of(), List.of(), List.of(), List.of("the daemon is shutting down"));
        }
        List<String> services;
        try {
            services = peers.reload(next);
        } catch (IOException | RuntimeException e) {
            String problem = next.file() + ": " + e.getMessage();
            log.error("config.rejected", "file", next.file(), "error", e.getMessage());
            return new Reload(false, List.of(), List.of(), List.of(), List.of(problem));
        }
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (String name : List.copyOf(slots.keySet())) {
            if (next.job(name).isEmpty()) {
                slots.remove(name).retire();
                removed.add(name);
            }
        }
        SluiceConfig previous = config;
        config = next;
        for (JobSpec job : next.jobs()) {
            JobSlot slot = slots.get(job.name());
            if (slot == null) {
                add(job);
                added.add(job.name());
            } else {
                if (!job.equals(slot.spec())) {
                    changed.add(job.name());
                }
                slot.update(job, next);
            }
        }
        reloadPrunes(next);
        if (!next.global().runtimeDir().equals(previous.global().runtimeDir())
                || !next.global().metrics().equals(previous.global().metrics())) {
            log.warn("config.restart_needed", "reason", "global.runtime_dir and global.metrics change at restart");
        }
        log.info("config.reloaded", "file", next.file(), "added", String.join(",", added),
                "removed", String.join(",", removed), "changed", String.join(",", changed),
                "services", String.join("; ", services));
        return new Reload(true, added, removed, changed, List.of(), services);
    }

    /** Adds, updates and removes prune slots after {@code config} became {@code next}. */
    private void reloadPrunes(SluiceConfig next) {
        for (String name : List.copyOf(pruneSlots.keySet())) {
            String job = name.substring(0, name.length() - PRUNE_SUFFIX.length());
            if (next.job(job).filter(this::prunesOnSchedule).isEmpty()) {
                pruneSlots.remove(name).retire();
            }
        }
        for (JobSpec job : next.jobs()) {
            if (!prunesOnSchedule(job)) {
                continue;
            }
            JobSlot slot = pruneSlots.get(pruneSlotName(job.name()));
            if (slot == null) {
                addPrune(job);
            } else {
                slot.update(job, next);
            }
        }
    }

    /**
     * Stops scheduling, lets running jobs finish for up to {@code grace}, then cancels the rest and waits for them
     * to end (a cancelled run writes no snapshot).
     */
    public void shutdown(Duration grace) {
        List<JobSlot> all;
        synchronized (this) {
            stopping = true;
            List<JobSlot> every = new ArrayList<>(slots.values());
            every.addAll(pruneSlots.values());
            all = List.copyOf(every);
        }
        all.forEach(JobSlot::retire);
        Mono<Void> idle = Flux.fromIterable(all).flatMap(JobSlot::idle).then();
        List<String> running = all.stream().filter(s -> s.view().state() != JobSlot.State.IDLE)
                .map(JobSlot::name).toList();
        if (!running.isEmpty()) {
            log.info("shutdown.waiting", "jobs", String.join(",", running), "grace", dev.sluice.engine.config.DurationSyntax.format(grace));
        }
        try {
            idle.block(grace.isZero() ? Duration.ofMillis(1) : grace);
        } catch (IllegalStateException timeout) {
            List<String> cancelled = new ArrayList<>();
            for (JobSlot s : all) {
                if (s.cancel("daemon shutdown: the grace period of "
                        + dev.sluice.engine.config.DurationSyntax.format(grace) + " is over")) {
                    cancelled.add(s.name());
                }
            }
            log.warn("shutdown.cancel", "jobs", String.join(",", cancelled), "reason", "grace period over");
            idle.block();
        }
    }
}
