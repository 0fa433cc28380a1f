package dev.sluice.engine.daemon;

import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.LocalRepositorySpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.protocol.Keepalive;
import dev.sluice.engine.repository.RepositoryLock;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.LoopResources;

/**
 * Puts a daemon together and runs it until it is told to stop: checks the runtime directory, starts the job
 * schedules, the control socket, the metrics endpoint and any further {@link Service}s (the transports' listeners),
 * installs the signal handlers, and on SIGTERM stops accepting, gives running jobs the grace period, cancels the
 * rest and releases everything.
 */
public final class DaemonLauncher {
    /** The name of the control socket inside the runtime directory. */
    public static final String CONTROL_SOCKET = "control.sock";
    /** How many jobs may run at the same time. */
    static final int MAX_CONCURRENT_JOBS = 16;

    private final Path configFile;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Clock clock;
    private final List<Service> extraServices;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();

    /**
     * @param extraServices listeners to start after the control socket (empty until the transports exist)
     */
    public DaemonLauncher(Path configFile, PrintStream err, Map<String, String> env, Clock clock,
            List<Service> extraServices) {
        this.configFile = configFile;
        this.err = err;
        this.env = Map.copyOf(env);
        this.clock = clock;
        this.extraServices = List.copyOf(extraServices);
    }

    /**
     * Runs until SIGTERM/SIGINT (or {@link #stop()}); returns 0 after a graceful stop.
     *
     * @throws IOException when the runtime directory or a listening address cannot be used
     */
    public int run(SluiceConfig config) throws IOException {
        EventLog log = new EventLog(err, clock, config.global().logLevel(), !env.containsKey("JOURNAL_STREAM"));
        Path runtime = RuntimeDir.prepare(config.global().runtimeDir());
        int uid = RuntimeDir.currentUid();
        Instant started = clock.instant();
        Metrics metrics = new Metrics();
        LoopResources loops = LoopResources.create("sluice-net", 1, 2, true);
        Scheduler timer = Schedulers.newSingle("sluice-timer", true);
        Scheduler jobThreads = Schedulers.newBoundedElastic(MAX_CONCURRENT_JOBS, 64, "sluice-job", 60, true);
        Scheduler sinkIo = Schedulers.newBoundedElastic(8, 1024, "sluice-sink-io", 60, true);
        // reverse-pull dials block for at most the connect timeout; they never take a job thread
        Scheduler dials = Schedulers.newBoundedElastic(4, 1024, "sluice-dial", 60, true);
        List<Service> running = new ArrayList<>();
        try (Workers workers = Workers.forMachine()) {
            Daemon[] daemon = new Daemon[1];
            RunMetrics runMetrics = new RunMetrics(metrics, name -> daemon[0].job(name), log, started);
            RunListener listeners = new RunListener() {
                private final RunLog runLog = new RunLog(log);

                @Override
                public void started(String job, String trigger, Instant at) {
                    runLog.started(job, trigger, at);
                    runMetrics.started(job, trigger, at);
                }

                @Override
                public void finished(String job, Instant s, Instant e, RunReport r) {
                    runMetrics.finished(job, s, e, r);
                    runLog.finished(job, s, e, r);
                }
            };
            ParkedLinks parked = new ParkedLinks(Keepalive.DEFAULT, timer);
            // backups wait for a prune of their repository in this daemon; prunes finding a backup are deferred
            RepositoryGate gate = new RepositoryGate();
            DaemonPruner pruner = new DaemonPruner(log, metrics, clock, RepositoryLock.Owner.current(), gate);
            BackupJobRunner backups = new BackupJobRunner(workers, clock, log, env, gate, metrics,
                    new MirrorJobRunner(workers, clock, log, parked));
            // a PULL wakes the pulled job's slot, which runs it over the link the PULL came on
            PulledJobs pulled = new PulledJobs(() -> daemon[0].config(), backups, log, jobThreads, timer,
                    (job, trigger) -> daemon[0].run(job, trigger));
            JobSlot.Context context = new JobSlot.Context(clock, timer, jobThreads,
                    new PullJobRunner(pulled.runner(backups), parked, clock, sinkIo, log, backups), listeners,
                    new Random());
            // a job's retention.schedule runs in a slot JOB:prune of its own, logged like a job
            JobSlot.Context pruneContext = new JobSlot.Context(clock, timer, jobThreads,
                    new PruneJobRunner(pruner, workers.io(), log), new RunLog(log), new Random());
            daemon[0] = new Daemon(config, () -> ConfigLoader.load(configFile), context, pruneContext,
                    job -> lastRun(job, daemon[0].config(), log), log);

            MetricsServer metricsServer = config.global().metrics().equals("off") ? null
                    : new MetricsServer(config.global().metrics(), metrics, loops);
            ControlProtocol protocol = new ControlProtocol(daemon[0],
                    () -> metricsServer == null ? null : metricsServer.address(), started,
                    () -> log.setLevel(daemon[0].config().global().logLevel()));
            List<Service> services = new ArrayList<>();
            services.add(new ControlServer(runtime.resolve(CONTROL_SOCKET), uid, protocol, loops, log));
            if (metricsServer != null) {
                services.add(metricsServer);
            }
            // The listeners, the sink, the mirror receiver and the reverse-pull dials follow each reload
            PeerServices peers = new PeerServices(new PeerServices.Context(runtime, clock, timer, jobThreads, sinkIo,
                    dials, pruner, pulled, parked, () -> daemon[0].config(), log));
            daemon[0].peers(peers::reload);
            services.add(peers);
            services.addAll(extraServices);
            for (Service s : services) {
                s.start();
                running.add(s);
                log.info("service.start", "service", s.name());
            }
            // The JVM runs each signal's handler on a thread of its own, so a reload may block here.
            Signals.install(this::stop, () -> {
                log.info("signal.hup", "action", "reload");
                Daemon.Reload r = daemon[0].reload();
                if (r.accepted()) {
                    log.setLevel(daemon[0].config().global().logLevel());
                } else {
                    r.problems().forEach(p -> log.error("config.problem", "problem", p));
                }
            });
            log.info("daemon.start", "pid", ProcessHandle.current().pid(), "config", configFile,
                    "jobs", config.jobs().size(), "runtime_dir", runtime);
            daemon[0].start();
            awaitStop();
            log.info("daemon.stopping", "grace", dev.sluice.engine.config.DurationSyntax.format(config.global().shutdownGrace()));
            stopServices(running, log);
            parked.closeAll("the sink daemon is stopping");
            daemon[0].shutdown(daemon[0].config().global().shutdownGrace());
            log.info("daemon.stop");
            return 0;
        } finally {
            stopServices(running, log);
            timer.dispose();
            jobThreads.dispose();
            sinkIo.dispose();
            dials.dispose();
            loops.disposeLater().block(java.time.Duration.ofSeconds(5));
        }
    }

    /** Asks the daemon to stop, as SIGTERM does. */
    public void stop() {
        if (stopping.compareAndSet(false, true)) {
            stopRequested.countDown();
        }
    }

    private void awaitStop() {
        boolean interrupted = false;
        while (true) {
            try {
                stopRequested.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void stopServices(List<Service> running, EventLog log) {
        for (int i = running.size() - 1; i >= 0; i--) {
            Service s = running.remove(i);
            try {
                s.stop();
                log.info("service.stop", "service", s.name());
            } catch (RuntimeException e) {
                log.error("service.stop", "service", s.name(), "error", e.toString());
            }
        }
    }

    private static Optional<Instant> lastRun(JobSpec job, SluiceConfig config, EventLog log) {
        if (!(job.repository() instanceof LocalRepositorySpec local)) {
            return Optional.empty();
        }
        try {
            // a pull job's snapshots are filed under the source's job and identity
            return job.source() != null
                    ? RepositoryFacts.lastSnapshot(local.path(), job.source().job(), job.source().peer())
                    : RepositoryFacts.lastSnapshot(local.path(), job.name(), config.global().host());
        } catch (IOException | RuntimeException e) {
            log.warn("job.last_run_unknown", "job", job.name(), "repository", local.path(), "error", e.getMessage());
            return Optional.empty();
        }
    }

}
