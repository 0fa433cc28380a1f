package dev.sluice.engine.daemon;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.ScheduleSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.JobStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One configured job inside the daemon and its small state machine: idle (maybe with a next run due), running,
 * cancelling. At most one run at a time; a wake-up while running joins the current run. When a run ends the next
 * one is scheduled from the job's schedule.
 */
public final class JobSlot {

    /** What a slot is doing. */
    public enum State { IDLE, RUNNING, CANCELLING }

    /** The shared machinery every slot uses. */
    public record Context(Clock clock, Scheduler timer, Scheduler jobs, JobRunner runner, RunListener listener,
            java.util.random.RandomGenerator random) {}

    /** A run in progress. */
    private static final class Active {
        final Instant started;
        final Cancellation cancellation = new Cancellation();
        final Sinks.One<RunReport> done = Sinks.one();
        volatile Supplier<Progress> progress = () -> Progress.NONE;

        Active(Instant started) {
            this.started = started;
        }
    }

    private final String name;
    private final Context context;
    private final Function<JobSpec, ScheduleSpec> scheduleOf;
    private volatile JobSpec spec;
    private volatile SluiceConfig config;
    private volatile Schedule schedule;
    private Active active;
    private Disposable timer;
    private Instant nextRun;
    private volatile LastRun last;
    private boolean retired;
    private boolean started;
    private boolean cancelling;

    JobSlot(JobSpec spec, SluiceConfig config, Context context, Optional<LastRun> last) {
        this(spec.name(), spec, config, context, JobSpec::schedule, last);
    }

    /**
     * A slot named {@code name} that runs {@code spec} with {@code context}'s runner on the schedule
     * {@code scheduleOf} picks from the spec (for a job's prune slot: its retention schedule).
     */
    JobSlot(String name, JobSpec spec, SluiceConfig config, Context context, Function<JobSpec, ScheduleSpec> scheduleOf,
            Optional<LastRun> last) {
        this.name = name;
        this.context = context;
        this.scheduleOf = scheduleOf;
        this.last = last.orElse(null);
        update(spec, config);
    }

    public String name() {
        return name;
    }

    public JobSpec spec() {
        return spec;
    }

    /** Takes a new definition of the job (after a reload); a run in progress finishes with the old one. */
    synchronized void update(JobSpec newSpec, SluiceConfig newConfig) {
        ScheduleSpec newSchedule = scheduleOf.apply(newSpec);
        boolean scheduleChanged = spec == null || !scheduleOf.apply(spec).equals(newSchedule);
        this.spec = newSpec;
        this.config = newConfig;
        this.schedule = new Schedule(newSchedule, context.clock().getZone(), context.random());
        if (started && scheduleChanged && active == null) {
            schedule(schedule.firstRun(Optional.empty(), context.clock().instant()).orElse(null), "schedule");
        }
    }

    /**
     * Schedules the first run after a (re)start: a slot missed since {@code lastRun} runs now, once.
     */
    synchronized void start(Optional<Instant> lastRun) {
        started = true;
        Instant now = context.clock().instant();
        Optional<Instant> due = schedule.firstRun(lastRun, now);
        schedule(due.orElse(null), lastRun.isPresent() && due.isPresent() && due.get().equals(now) ? "missed"
                : "schedule");
    }

    private void schedule(Instant due, String trigger) {
        if (timer != null) {
            timer.dispose();
            timer = null;
        }
        nextRun = due;
        if (due == null || retired) {
            return;
        }
        long delay = Math.max(0, Duration.between(context.clock().instant(), due).toMillis());
        timer = context.timer().schedule(() -> wake(trigger), delay, TimeUnit.MILLISECONDS);
    }

    /** Starts a run now unless one is running; either way returns the report of the run it started or joined. */
    public synchronized Mono<RunReport> wake(String trigger) {
        if (active != null) {
            return active.done.asMono();
        }
        if (retired) {
            return Mono.error(new IllegalStateException("job " + name + " was removed from the configuration"));
        }
        if (timer != null) {
            timer.dispose();
            timer = null;
        }
        nextRun = null;
        Active run = new Active(context.clock().instant());
        active = run;
        JobSpec runSpec = spec;
        SluiceConfig runConfig = config;
        context.listener().started(name, trigger, run.started);
        context.jobs().schedule(() -> execute(run, runSpec, runConfig));
        return run.done.asMono();
    }

    private void execute(Active run, JobSpec runSpec, SluiceConfig runConfig) {
        RunReport report;
        try {
            report = context.runner().run(runSpec, runConfig, live -> run.progress = live, run.cancellation);
        } catch (RuntimeException | Error e) {
            report = new RunReport(JobStatus.FAILURE, null, run.progress.get(),
                    "the run failed unexpectedly: " + e, run.cancellation.cancelled(), List.of());
        }
        Instant ended = context.clock().instant();
        LastRun finished = new LastRun(run.started, ended, report);
        synchronized (this) {
            last = finished;
            active = null;
            cancelling = false;
            if (!retired) {
                schedule(schedule.afterRun(run.started, ended).orElse(null), "schedule");
            }
        }
        context.listener().finished(name, run.started, ended, report);
        run.done.tryEmitValue(report);
    }

    /**
     * Starts a run that begins after this call: now when none is running, else once the current run has ended
     * (callers that come while it runs share that next run). Returns its report.
     */
    public synchronized Mono<RunReport> wakeAfterCurrent(String trigger) {
        if (active == null) {
            return wake(trigger);
        }
        // once it has ended, the first of these callers starts the next run and the others join it
        return active.done.asMono().then(Mono.defer(() -> wake(trigger)));
    }

    /** Cancels the running run, if any, saying {@code why}; returns whether one was running. */
    public synchronized boolean cancel(String why) {
        if (active == null) {
            return false;
        }
        cancelling = true;
        active.cancellation.cancel(why);
        return true;
    }

    /** Stops scheduling new runs (removal or shutdown); a run in progress goes on. */
    synchronized void retire() {
        retired = true;
        if (timer != null) {
            timer.dispose();
            timer = null;
        }
        nextRun = null;
    }

    /** Completes when no run is in progress. */
    synchronized Mono<Integer> idle() {
        return active == null ? Mono.just(-1) : active.done.asMono().map(RunReport::status);
    }

    /** A consistent picture of the slot for status. */
    public synchronized View view() {
        State state = active == null ? State.IDLE : cancelling ? State.CANCELLING : State.RUNNING;
        return new View(name, scheduleOf.apply(spec).text(), state, active == null ? null : active.started,
                active == null ? null : active.progress.get(), nextRun, last);
    }

    /** What status shows for a job. */
    public record View(String job, String schedule, State state, Instant runningSince, Progress progress,
            Instant nextRun, LastRun last) {}
}
