package dev.sluice.engine.cli;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.JobType;
import dev.sluice.engine.config.MirrorJobSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.MirrorJob;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** {@code sluice mirror -c CONFIG [JOB...]}: runs mirror jobs once and prints what each moved. */
final class MirrorCommand implements Command {
    @Override public String name() { return "mirror"; }
    @Override public String summary() { return "run mirror jobs: keep a plain directory tree equal to the source"; }
    @Override public Set<String> valued() { return Set.of("--config"); }
    @Override public Set<String> flags() { return Set.of("--help", "--quiet", "--no-daemon"); }

    @Override
    public String help() {
        return """
                Usage: sluice mirror -c CONFIG [JOB...]

                Runs the named mirror jobs (type: mirror) of the config file once, or all of them
                that can run without a daemon (not those a receiver pulls, not reverse pulls).
                Each writes a plain directory tree (in-place, or a dated snapshot per run) into
                a local directory or, with mirror.tls or mirror.ssh, into a receiver daemon's
                target; a pull job (mirror.pull with tls or ssh) asks the sender for its job
                and writes it here. Only chunks the receiver's copy lacks cross the link.

                When a daemon runs CONFIG (the same file, unchanged since it loaded it), each job
                is handed to it: the daemon runs it (after its current run of the job, if any)
                and this command waits, prints the same summary and exits with the run's status;
                stopping the command cancels that run. The run is then the daemon's: its user,
                environment, hooks and log.

                Options:
                  -c, --config FILE        the config file (required)
                  --no-daemon              run the jobs in this process, also when a daemon runs CONFIG
                  --quiet                  no summary line per job

                Exit status: 0 ok, 1 failed (the previous mirror state is kept), 2 usage,
                3 some files could not be read and were left out.
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        String configFile = args.value("--config");
        if (configFile == null) {
            throw new UsageException("give the config file with -c CONFIG");
        }
        SluiceConfig config = ConfigCommands.load(Path.of(configFile));
        List<String> wanted = args.positional();
        List<MirrorJob.Plan> plans = new ArrayList<>();
        for (String name : wanted) {
            if (config.job(name).isEmpty()) {
                throw new UsageException("no job named '" + name + "' in " + configFile);
            }
        }
        for (JobSpec job : config.jobs()) {
            // without names: the jobs this command can run alone (not those a receiver pulls, not reverse pulls)
            if (wanted.isEmpty() ? job.type() == JobType.MIRROR && runsAlone(job) : wanted.contains(job.name())) {
                try {
                    plans.add(MirrorJob.plan(job, config.file().toAbsolutePath().getParent()));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
            }
        }
        if (plans.isEmpty()) {
            throw new UsageException(configFile + " has no mirror job");
        }
        DaemonHandover daemon = args.flag("--no-daemon") ? null : DaemonHandover.find(config, console);
        int worst = ExitCode.OK;
        Local local = new Local(console);
        try {
            for (MirrorJob.Plan plan : plans) {
                Instant start = console.clock().instant();
                Optional<Map<String, Object>> handed = daemon != null
                        && runsAlone(config.job(plan.job()).orElseThrow()) ? daemon.run(plan.job()) : Optional.empty();
                int status = handed.isPresent() ? reportHanded(plan.job(), handed.get(), start, args, console)
                        : report(plan.job(), local.job().run(plan, new Cancellation()), start, args, console);
                worst = Math.max(worst, status);
            }
        } finally {
            local.close();
        }
        return worst;
    }

    private static boolean runsAlone(JobSpec job) {
        return job.repository() instanceof MirrorJobSpec m && !m.pulled()
                && (m.pull() == null || m.pull().connect() != null);
    }

    /** What runs a job in this process, made when the first job needs it (a run handed over needs none of it). */
    private static final class Local implements AutoCloseable {
        private final Console console;
        private Scheduler io;
        private MirrorJob job;

        Local(Console console) {
            this.console = console;
        }

        MirrorJob job() {
            if (job == null) {
                io = Schedulers.newBoundedElastic(4, 10_000, "mirror-io");
                HookLog hookLog = HookLog.lines(line -> console.err().println("sluice: " + line));
                java.time.Clock clock = console.clock();
                job = new MirrorJob(io, m -> console.err().println("sluice: WARNING: " + m),
                        new HookRunner(io, hookLog), hookLog, null, (dir, o) -> MirrorTarget.open(dir, o, clock));
            }
            return job;
        }

        @Override
        public void close() {
            if (io != null) {
                io.dispose();
            }
        }
    }

    private static int report(String job, MirrorJob.Outcome o, Instant start, Arguments args, Console console) {
        if (o.failure() != null) {
            console.err().println("sluice mirror: job " + job + " failed: " + Failures.describe(o.failure()));
            return o.status() == ExitCode.OK ? ExitCode.FAILURE : o.status();
        }
        List<String> problems = o.result() == null ? List.of() : o.result().problems();
        summary(job, o.facts(), problems, "", start, args, console);
        return o.status();
    }

    /** The daemon's answer for a job it ran for this command, reported as a run here would be. */
    private static int reportHanded(String job, Map<String, Object> answer, Instant start, Arguments args,
            Console console) {
        int status = ((Number) answer.get("status")).intValue();
        if (answer.get("error") instanceof String error) {
            console.err().println("sluice mirror: job " + job + " failed in the daemon: " + error);
            return status == ExitCode.OK ? ExitCode.FAILURE : status;
        }
        List<String> problems = new ArrayList<>();
        if (answer.get("problems") instanceof List<?> list) {
            list.forEach(p -> problems.add(String.valueOf(p)));
        }
        Map<String, Object> facts = answer.get("facts") instanceof Map<?, ?> m ? cast(m) : Map.of();
        summary(job, facts, problems, " (run by the daemon)", start, args, console);
        return status;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** The warnings and the summary line of a run from its facts ({@link MirrorJob.Outcome#facts()}). */
    private static void summary(String job, Map<String, Object> facts, List<String> problems, String where,
            Instant start, Arguments args, Console console) {
        for (String p : problems) {
            console.err().println("sluice: warning: " + p);
        }
        if (args.flag("--quiet") || facts.isEmpty()) {
            return;
        }
        String took = Human.duration(Duration.between(start, console.clock().instant()));
        if (Boolean.TRUE.equals(facts.get("pulled"))) {
            console.out().printf("mirror %s (pulled)%s: %d files written, %d kept; %s written, %s copied from the"
                            + " previous copy; %d deleted; tree %s; %s%n",
                    job, where, n(facts, "files_written"), n(facts, "files_kept"),
                    Human.bytes(n(facts, "bytes_written")), Human.bytes(n(facts, "copied_bytes")),
                    n(facts, "entries_deleted"), facts.get("tree"), took);
            return;
        }
        long sent = n(facts, "bytes_sent");
        long received = n(facts, "bytes_received");
        console.out().printf("mirror %s%s: %d entries, %d files written, %d kept; %s literal, %s copied from"
                        + " the receiver's copy; %s sent (%d bytes), %s received (%d bytes); %d deleted; tree"
                        + " %s; %s%n",
                job, where, n(facts, "entries"), n(facts, "files_written"), n(facts, "files_kept"),
                Human.bytes(n(facts, "literal_bytes")), Human.bytes(n(facts, "copied_bytes")), Human.bytes(sent),
                sent, Human.bytes(received), received, n(facts, "entries_deleted"), facts.get("tree"), took);
    }

    private static long n(Map<String, Object> facts, String name) {
        return facts.get(name) instanceof Number v ? v.longValue() : 0;
    }
}
