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
import dev.sluice.engine.mirror.MirrorResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** {@code sluice mirror -c CONFIG [JOB...]}: runs mirror jobs once and prints what each moved. */
final class MirrorCommand implements Command {
    @Override public String name() { return "mirror"; }
    @Override public String summary() { return "run mirror jobs: keep a plain directory tree equal to the source"; }
    @Override public Set<String> valued() { return Set.of("--config"); }
    @Override public Set<String> flags() { return Set.of("--help", "--quiet"); }

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

                Options:
                  -c, --config FILE        the config file (required)
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
        int worst = ExitCode.OK;
        Scheduler io = Schedulers.newBoundedElastic(4, 10_000, "mirror-io");
        try {
            HookLog hookLog = HookLog.lines(line -> console.err().println("sluice: " + line));
            java.time.Clock clock = console.clock();
            MirrorJob job = new MirrorJob(io, m -> console.err().println("sluice: WARNING: " + m),
                    new HookRunner(io, hookLog), hookLog, null, (dir, o) -> MirrorTarget.open(dir, o, clock));
            for (MirrorJob.Plan plan : plans) {
                worst = Math.max(worst, runOne(job, plan, args, console));
            }
        } finally {
            io.dispose();
        }
        return worst;
    }

    private static boolean runsAlone(JobSpec job) {
        return job.repository() instanceof MirrorJobSpec m && !m.pulled()
                && (m.pull() == null || m.pull().connect() != null);
    }

    private static int runOne(MirrorJob job, MirrorJob.Plan plan, Arguments args, Console console) {
        Instant start = console.clock().instant();
        MirrorJob.Outcome o = job.run(plan, new Cancellation());
        if (o.failure() != null) {
            console.err().println("sluice mirror: job " + plan.job() + " failed: " + Failures.describe(o.failure()));
            return o.status() == ExitCode.OK ? ExitCode.FAILURE : o.status();
        }
        MirrorResult r = o.result();
        if (r != null) {
            for (String p : r.problems()) {
                console.err().println("sluice: warning: " + p);
            }
        }
        if (!args.flag("--quiet")) {
            Duration took = Duration.between(start, console.clock().instant());
            if (r != null) {
                console.out().printf("mirror %s: %d entries, %d files written, %d kept; %s literal, %s copied from"
                                + " the receiver's copy; %s sent (%d bytes), %s received (%d bytes); %d deleted; tree"
                                + " %s; %s%n",
                        plan.job(), r.entries(), r.filesWritten(), r.filesKept(), Human.bytes(r.literalBytes()),
                        Human.bytes(r.copiedBytes()), Human.bytes(r.bytesSent()), r.bytesSent(),
                        Human.bytes(r.bytesReceived()), r.bytesReceived(), r.receiver().entriesDeleted(),
                        r.receiver().finalTree(), Human.duration(took));
            } else {
                var t = o.received();
                console.out().printf("mirror %s (pulled): %d files written, %d kept; %s written, %s copied from the"
                                + " previous copy; %d deleted; tree %s; %s%n",
                        plan.job(), t.filesWritten(), t.filesKept(), Human.bytes(t.bytesWritten()),
                        Human.bytes(t.bytesCopiedFromBasis()), t.entriesDeleted(), t.finalTree(), Human.duration(took));
            }
        }
        return o.status();
    }
}
