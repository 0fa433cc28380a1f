package dev.sluice.engine.cli;

import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.config.HookSpec;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.job.BackupJob;
import dev.sluice.hook.HookDefinition;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.HookRunner;
import dev.sluice.hook.OnError;
import dev.sluice.engine.backup.BackupRequest;
import dev.sluice.engine.backup.ErrorPolicy;
import dev.sluice.engine.chunk.ChunkerParams;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.LocalRepositorySpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.config.TlsSinkRepositorySpec;
import dev.sluice.engine.job.RepositoryTarget;
import dev.sluice.engine.job.SinkTarget;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.scan.ScanRules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        String configFile = args.value("--config");
        List<Plan> plans = new ArrayList<>();
        if (configFile != null) {
            SluiceConfig config = ConfigCommands.load(Path.of(configFile));
            List<String> wanted = args.positional();
            for (String name : wanted) {
                if (config.job(name).isEmpty()) {
                    throw new UsageException("no job named '" + name + "' in " + configFile);
                }
            }
            for (JobSpec job : config.jobs()) {
                if (wanted.isEmpty() || wanted.contains(job.name())) {
                    plans.add(planFor(job, config, args));
                }
            }
        } else {
            plans.add(adHocPlan(args));
        }
        int worst = ExitCode.OK;
        try (Workers workers = Workers.forMachine()) {
            for (Plan plan : plans) {
                worst = Math.max(worst, runOne(plan, workers, args, console));
            }
        }
        return worst;
    }

    private record Plan(BackupRequest request, RepositoryTarget target, ChunkerParams chunking,
            String compression, Integer level, List<HookDefinition> hooks, Path workingDirectory, SinkTarget sink) {
        Plan(BackupRequest request, RepositoryTarget target, ChunkerParams chunking, String compression,
                Integer level, List<HookDefinition> hooks, Path workingDirectory) {
            this(request, target, chunking, compression, level, hooks, workingDirectory, null);
        }
    }

    private Plan adHocPlan(Arguments args) throws UsageException {
        if (args.positional().isEmpty()) {
            throw new UsageException("nothing to back up: give one or more PATHs (or -c CONFIG)");
        }
        RepositoryTarget target = new RepositoryTarget(Path.of(args.required("--repo", "SLUICE_REPO")),
                args.path("--key-file", "SLUICE_KEY_FILE"), args.path("--password-file", "SLUICE_PASSWORD_FILE"));
        List<Path> roots = args.positional().stream().map(Path::of).toList();
        ScanRules rules = ScanRules.of(args.values("--include"), args.values("--exclude"),
                args.flag("--one-file-system"), !args.flag("--no-exclude-caches"));
        String job = args.value("--job") == null ? "default" : args.value("--job");
        String host = args.value("--host") == null ? HostName.local() : args.value("--host");
        return new Plan(request(job, host, roots, rules, args), target, null, null, null, List.of(),
                Path.of("").toAbsolutePath());
    }

    private Plan planFor(JobSpec job, SluiceConfig config, Arguments args) throws UsageException {
        Path keyFile = job.keyFile() != null ? job.keyFile() : args.path("--key-file", "SLUICE_KEY_FILE");
        Path passwordFile = job.passwordFile() != null ? job.passwordFile()
                : args.path("--password-file", "SLUICE_PASSWORD_FILE");
        ScanRules rules = ScanRules.of(job.include(), job.exclude(), job.oneFileSystem(), job.excludeCaches());
        String host = args.value("--host") != null ? args.value("--host") : config.global().host();
        ChunkerParams chunking = new ChunkerParams((int) job.chunker().min(), (int) job.chunker().avg(),
                (int) job.chunker().max());
        BackupRequest request = request(job.name(), host, job.paths(), rules, args);
        Path workingDirectory = config.file().toAbsolutePath().getParent();
        if (job.repository() instanceof TlsSinkRepositorySpec remote) {
            SinkTarget sink;
            try {
                sink = SinkTarget.of(remote, keyFile);
            } catch (IllegalArgumentException e) {
                throw new UsageException("job " + job.name() + ": " + e.getMessage());
            }
            return new Plan(request, null, chunking, job.compression().algorithm(), job.compression().level(),
                    hooks(job), workingDirectory, sink);
        }
        LocalRepositorySpec local = (LocalRepositorySpec) job.repository();
        return new Plan(request, new RepositoryTarget(local.path(), keyFile, passwordFile), chunking,
                job.compression().algorithm(), job.compression().level(), hooks(job), workingDirectory);
    }

    private static List<HookDefinition> hooks(JobSpec job) throws UsageException {
        List<HookDefinition> out = new ArrayList<>();
        for (HookSpec h : job.hooks()) {
            try {
                HookDefinition d = new HookDefinition(HookPoint.of(h.point()), h.path().toAbsolutePath(), h.args(),
                        h.timeout(), OnError.valueOf(h.onError().name()), h.async());
                out.add(d);
            } catch (IllegalArgumentException e) {
                throw new UsageException("job " + job.name() + ": hook " + h.path() + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static BackupRequest request(String job, String host, List<Path> roots, ScanRules rules, Arguments args)
            throws UsageException {
        try {
            return new BackupRequest(job, host, roots, rules, !args.flag("--force"), ErrorPolicy.report(p -> {}));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private int runOne(Plan plan, Workers workers, Arguments args, Console console) throws Exception {
        BackupRequest request = new BackupRequest(plan.request().job(), plan.request().host(), plan.request().roots(),
                plan.request().rules(), plan.request().useParent(), ErrorPolicy.report(p -> {
                    console.err().print(console.terminal() ? "\r\033[K" : "");
                    console.err().println("sluice: warning: " + RawPath.escape(p.path()) + ": "
                            + p.kind().name().toLowerCase(java.util.Locale.ROOT) + ": " + p.message());
                }));
        HookLog hookLog = HookLog.lines(line -> console.err().println("sluice: hook: " + line));
        BackupJob job = new BackupJob(workers, console.clock(), new HookRunner(workers.io(), hookLog), hookLog);
        BackupJob.Plan jobPlan = new BackupJob.Plan(request, plan.target(), plan.chunking(), plan.compression(),
                plan.level(), plan.hooks(), plan.workingDirectory(), plan.sink());
        ProgressLine[] progress = new ProgressLine[1];
        BackupJob.Outcome outcome;
        try {
            outcome = job.run(jobPlan, st -> progress[0] = ProgressLine.start(
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
