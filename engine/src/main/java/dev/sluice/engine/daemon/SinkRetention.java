package dev.sluice.engine.daemon;

import dev.sluice.engine.config.ScheduleSpec;
import dev.sluice.engine.config.SinkSpec;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.engine.retention.Pruner;
import dev.sluice.engine.retention.RetentionPolicy;
import dev.sluice.transport.PeerIdentity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * The sink's retention (the daemon service {@code sink retention}): applies each client identity's policy per job
 * to that identity's snapshots of the job ({@code host} = identity, times = the sink's receipt times) in the sink
 * repository, never the source. It prunes after every session that added a snapshot, once the session has ended
 * and released its lock, and on {@code global.sink.prune_schedule}. Prunes run one at a time on a worker thread
 * under the repository's exclusive lock; when the lock is busy (a push or a local backup is running) the work
 * stays pending and is tried again when the next session ends or at the next scheduled time.
 */
public final class SinkRetention implements Service {

    /** One client identity's job. */
    public record Client(String identity, String job) {
        public Client {
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(job, "job");
        }
    }

    private final Path repository;
    private final Map<Client, RetentionPolicy> policies;
    private final Schedule schedule;
    private final Clock clock;
    private final Scheduler timer;
    private final Scheduler work;
    private final DaemonPruner pruner;
    private final Set<Client> pending = new LinkedHashSet<>();
    private boolean draining;
    private boolean stopped;
    private boolean started;
    private Disposable tick;
    private Instant nextRun;

    /**
     * @param policies the policy of each identity's job; jobs not listed are never pruned here
     * @param timer    where the schedule's timer runs
     * @param work     where prunes run (blocking I/O)
     */
    public SinkRetention(Path repository, Map<Client, RetentionPolicy> policies, ScheduleSpec schedule, Clock clock,
            Scheduler timer, Scheduler work, DaemonPruner pruner, RandomGenerator random) {
        this.repository = repository;
        this.policies = Map.copyOf(policies);
        this.schedule = new Schedule(schedule, clock.getZone(), random);
        this.clock = clock;
        this.timer = timer;
        this.work = work;
        this.pruner = pruner;
    }

    /** The retention {@code global.sink} describes. */
    public static SinkRetention of(SinkSpec sink, Clock clock, Scheduler timer, Scheduler work, DaemonPruner pruner,
            RandomGenerator random) {
        Map<Client, RetentionPolicy> policies = new HashMap<>();
        sink.retention().forEach((identity, jobs) -> jobs.forEach((job, spec) ->
                policies.put(new Client(identity, job), RetentionPolicy.of(spec))));
        return new SinkRetention(sink.repository(), policies, sink.pruneSchedule(), clock, timer, work, pruner,
                random);
    }

    /** What the sink's {@link SinkServer} calls when a session has ended. */
    public SinkServer.SessionListener listener() {
        return this::sessionEnded;
    }

    /**
     * A session ended and released its lock: if it added a snapshot of a job with a policy, that job of that
     * identity is pruned; pending work (deferred by a busy lock) is tried again either way.
     */
    void sessionEnded(PeerIdentity peer, String job, int committed) {
        synchronized (this) {
            if (job != null && committed > 0) {
                Client client = new Client(peer.name(), job);
                if (policies.containsKey(client)) {
                    pending.add(client);
                }
            }
        }
        drainSoon("session");
    }

    /** Prunes every client's jobs that have a policy, as the schedule does. */
    public void pruneAll(String trigger) {
        synchronized (this) {
            policies.keySet().stream().sorted(Comparator.comparing(Client::identity).thenComparing(Client::job))
                    .forEach(pending::add);
        }
        drainSoon(trigger);
    }

    /** The next scheduled prune, or null when the schedule is manual (or the service is stopped). */
    public synchronized Instant nextRun() {
        return nextRun;
    }

    /** Whether snapshots wait for a prune (deferred by a busy lock, or queued). */
    public synchronized boolean hasPending() {
        return !pending.isEmpty() || draining;
    }

    private void drainSoon(String trigger) {
        synchronized (this) {
            if (stopped || draining || pending.isEmpty()) {
                return;
            }
            draining = true;
        }
        work.schedule(() -> drain(trigger));
    }

    private void drain(String trigger) {
        while (true) {
            List<Client> batch;
            synchronized (this) {
                if (pending.isEmpty() || stopped) {
                    draining = false;
                    notifyAll();
                    return;
                }
                batch = new ArrayList<>(pending);
                pending.clear();
            }
            List<Pruner.Scope> scopes = new ArrayList<>();
            for (Client c : batch) {
                scopes.add(new Pruner.Scope(c.job(), c.identity(), policies.get(c)));
            }
            DaemonPruner.Result result;
            try {
                result = pruner.prune(repository, "sink", scopes, trigger);
            } catch (RuntimeException | Error e) {
                synchronized (this) {
                    draining = false;
                    notifyAll();
                }
                throw e;
            }
            if (result.deferred()) {
                synchronized (this) {
                    pending.addAll(batch); // the lock holder's session end, or the next tick, tries again
                    draining = false;
                    notifyAll();
                }
                return;
            }
        }
    }

    @Override
    public String name() {
        return "sink retention " + repository + " (" + policies.size() + " client jobs, schedule "
                + schedule.spec().text() + ")";
    }

    @Override
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        plan(schedule.firstRun(Optional.empty(), clock.instant()).orElse(null));
    }

    private synchronized void plan(Instant due) {
        nextRun = stopped ? null : due;
        if (nextRun == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(clock.instant(), due).toMillis());
        tick = timer.schedule(this::onTick, delay, TimeUnit.MILLISECONDS);
    }

    private void onTick() {
        Instant now = clock.instant();
        pruneAll("schedule");
        plan(schedule.afterRun(now, now).orElse(null));
    }

    /** Stops the schedule and waits for a prune in progress to end (a prune is never cut short). */
    @Override
    public synchronized void stop() {
        stopped = true;
        nextRun = null;
        if (tick != null) {
            tick.dispose();
            tick = null;
        }
        boolean interrupted = false;
        while (draining) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
