package dev.sluice.engine.cli;

import dev.sluice.engine.backup.BackupRequest;
import dev.sluice.engine.backup.ErrorPolicy;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.JobType;
import dev.sluice.engine.config.PullRepositorySpec;
import dev.sluice.engine.config.ReversePullRepositorySpec;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.PullJob;
import reactor.core.scheduler.Schedulers;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.job.BackupJob;
import dev.sluice.engine.job.JobPlans;
import dev.sluice.engine.job.RepositoryTarget;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code sluice backup}: one snapshot of the given paths, or of the jobs of a config file. */
final class BackupCommand implements Command {
    @Override public String name() { return "backup"; }
    @Override public String summary() { return "back up paths (or the jobs of a config file) into a new snapshot"; }
    @Override public Set<String> valued() {
        return Set.of("--repo", "--key-file", "--password-file", "--config", "--exclude", "--include",
                "--host", "--job");
    }
    @Override public Set<String> flags() {
        return Set.of("--help", "--one-file-system", "--no-exclude-caches", "--force", "--json", "--quiet");
    }

    @Override
    public String help() {
        return """
                Usage: sluice backup --repo DIR --key-file FILE [options] PATH...
                       sluice backup -c CONFIG [JOB...]

                Backs up the PATHs (or every JOB of the config file, or all its jobs) into a new
                snapshot. Only files whose size, mtime, ctime or inode changed since the last
                snapshot of the same job and host are read; only chunks the repository lacks
                are stored. A file that cannot be read is reported and left out; the snapshot
                is still written and the exit status is 3.

                Options:
                  --repo DIR               repository (or SLUICE_REPO)
                  --key-file FILE          key file (or SLUICE_KEY_FILE)
                  --password-file FILE     password file (or SLUICE_PASSWORD_FILE)
                  -c, --config FILE        run jobs from this config file
                  --exclude PATTERN        leave out matching paths (repeatable)
                  --include PATTERN        back up only matching files (repeatable)
                  --one-file-system        do not cross into other file systems
                  --no-exclude-caches      also back up directories tagged with CACHEDIR.TAG
                  --host NAME              source identity for the snapshot (default: this host's name)
                  --job NAME               job name for ad hoc backups (default: "default")
                  --force                  read every file, ignoring the parent snapshot
                  --json                   print the summary as JSON
                  --quiet                  no progress line

                Exit status: 0 ok, 1 failed (no snapshot written), 2 usage, 3 some files unreadable,
                10 no repository, 11 locked, 12 wrong key.
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        ErrorPolicy warn = ErrorPolicy.report(p -> {
            console.err().print(console.terminal() ? "\r\033[K" : "");
            console.err().println("sluice: warning: " + RawPath.escape(p.path()) + ": "
                    + p.kind().name().toLowerCase(Locale.ROOT) + ": " + p.message());
        });
        String configFile = args.value("--config");
        List<BackupJob.Plan> plans = new ArrayList<>();
        List<PullJob.Plan> pulls = new ArrayList<>();
        if (configFile != null) {
            SluiceConfig config = ConfigCommands.load(Path.of(configFile));
            List<String> wanted = args.positional();
            for (String name : wanted) {
                if (config.job(name).isEmpty()) {
                    throw new UsageException("no job named '" + name + "' in " + configFile);
                }
            }
            String host = args.value("--host") != null ? args.value("--host") : config.global().host();
            for (JobSpec job : config.jobs()) {
                if (wanted.isEmpty() && job.type() == JobType.MIRROR) {
                    continue; // sluice mirror runs those
                }
                boolean pulled = job.repository() instanceof PullRepositorySpec
                        || job.repository() instanceof ReversePullRepositorySpec;
                if (wanted.isEmpty() && pulled) {
                    console.err().println("sluice backup: skipping job " + job.name() + ": it runs when its sink"
                            + " pulls it (" + job.repository().describe() + ")");
                } else if ((wanted.isEmpty() || wanted.contains(job.name())) && job.type() == JobType.PULL) {
                    try {
                        pulls.add(JobPlans.planPull(job, config));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                } else if (wanted.isEmpty() || wanted.contains(job.name())) {
                    try {
                        plans.add(JobPlans.plan(job, config, host, !args.flag("--force"), warn,
                                args.path("--key-file", "SLUICE_KEY_FILE"),
                                args.path("--password-file", "SLUICE_PASSWORD_FILE")));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                }
            }
        } else {
            plans.add(adHocPlan(args, warn));
        }
        int worst = ExitCode.OK;
        try (Workers workers = Workers.forMachine()) {
            for (BackupJob.Plan plan : plans) {
                worst = Math.max(worst, runOne(plan, workers, args, console));
            }
        }
        for (PullJob.Plan pull : pulls) {
            worst = Math.max(worst, pull(pull, console));
        }
        return worst;
    }

    /** A pull job at the sink: dial the source, ask for its job, store what it pushes. */
    private static int pull(PullJob.Plan plan, Console console) {
        HookLog hookLog = HookLog.lines(line -> console.err().println("sluice: hook: " + line));
        PullJob.Outcome outcome = new PullJob(console.clock(), Schedulers.boundedElastic(), null,
                new HookRunner(Schedulers.boundedElastic(), hookLog), hookLog).run(plan, new Cancellation());
        if (outcome.snapshot() != null) {
            console.out().println("pulled snapshot " + outcome.snapshot().id().shortHex() + " of job "
                    + plan.source().job() + " from " + outcome.peer() + " (pull job " + plan.job() + ")");
            if (outcome.failure() != null) {
                console.err().println("sluice backup: pull job " + plan.job() + ": " + outcome.failure().getMessage());
            }
        } else {
            console.err().println("sluice backup: pull job " + plan.job() + " failed, no snapshot was written: "
                    + Failures.describe(outcome.failure()));
        }
        return outcome.status();
    }

    private BackupJob.Plan adHocPlan(Arguments args, ErrorPolicy warn) throws UsageException {
        if (args.positional().isEmpty()) {
            throw new UsageException("nothing to back up: give one or more PATHs (or -c CONFIG)");
        }
        RepositoryTarget target = new RepositoryTarget(Path.of(args.required("--repo", "SLUICE_REPO")),
                args.path("--key-file", "SLUICE_KEY_FILE"), args.path("--password-file", "SLUICE_PASSWORD_FILE"));
        List<Path> roots = args.positional().stream().map(Path::of).toList();
        String job = args.value("--job") == null ? "default" : args.value("--job");
        String host = args.value("--host") == null ? HostName.local() : args.value("--host");
        try {
            ScanRules rules = ScanRules.of(args.values("--include"), args.values("--exclude"),
                    args.flag("--one-file-system"), !args.flag("--no-exclude-caches"));
            BackupRequest request = new BackupRequest(job, host, roots, rules, !args.flag("--force"), warn);
            return new BackupJob.Plan(request, target, null, null, null, List.of(), Path.of("").toAbsolutePath());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private int runOne(BackupJob.Plan plan, Workers workers, Arguments args, Console console) {
        BackupRequest request = plan.request();
        HookLog hookLog = HookLog.lines(line -> console.err().println("sluice: hook: " + line));
        BackupJob job = new BackupJob(workers, console.clock(), new HookRunner(workers.io(), hookLog), hookLog);
        ProgressLine[] progress = new ProgressLine[1];
        BackupJob.Outcome outcome;
        try {
            outcome = job.run(plan, st -> progress[0] = ProgressLine.start(
                    console.terminal() && !args.flag("--quiet"), console.err(), console.clock(),
                    () -> String.format("%d files", st.files()), st::bytesRead, () -> 0L));
        } finally {
            if (progress[0] != null) {
                progress[0].close();
            }
        }
        if (outcome.result() != null) {
            Summaries.backup(outcome.result(), request, outcome.hooks(), args.flag("--json"), console);
        }
        if (outcome.failure() != null) {
            String what = outcome.result() == null ? ", no snapshot was written: " : ": ";
            console.err().println("sluice backup: job " + request.job() + " failed" + what
                    + Failures.describe(outcome.failure()));
            if (console.env().containsKey("SLUICE_DEBUG")) {
                outcome.failure().printStackTrace(console.err());
            }
        }
        return outcome.status();
    }
}
