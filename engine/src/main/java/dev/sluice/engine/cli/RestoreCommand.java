package dev.sluice.engine.cli;

import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.job.OpenRepository;
import dev.sluice.engine.job.RepositoryTarget;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.restore.RestoreOptions;
import dev.sluice.engine.restore.RestoreStats;
import dev.sluice.engine.restore.Restorer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code sluice restore}: writes a snapshot, or paths inside it, back to disk. */
final class RestoreCommand implements Command {
    @Override public String name() { return "restore"; }
    @Override public String summary() { return "restore a snapshot (or paths in it) into a directory"; }
    @Override public Set<String> valued() {
        return Set.of("--repo", "--key-file", "--password-file", "--target", "--job", "--host", "--config");
    }
    @Override public Set<String> flags() { return Set.of("--help", "--json", "--quiet", "--no-owner"); }

    @Override
    public String help() {
        return """
                Usage: sluice restore --repo DIR --key-file FILE SNAPSHOT|latest --target DIR [PATH...]
                       sluice restore -c CONFIG JOB [SNAPSHOT|latest] --target DIR [PATH...]

                Restores the snapshot (an id or unique id prefix, or 'latest': the one its
                source took last, by the time the source sealed into it, optionally
                narrowed with --job/--host) below the target directory, at each file's
                absolute path: /etc/hosts is restored to DIR/etc/hosts. With PATHs, only
                those paths (absolute, as backed up) and what is below them.
                Contents, modes, times, symlinks, hardlinks, fifos, xattrs and sparse holes
                are restored; owners and device nodes only when running as root.
                With -c, restores from the repository of a job of the config file (the latest
                snapshot unless one is named); when that repository is a sink, over the link, with
                the job's key file, from this source's own snapshots of the job only.

                Options:
                  --target DIR     where to restore (required)
                  --job, --host    choose 'latest' among these snapshots only
                  --no-owner       do not set owners even when running as root
                  --json           print the summary as JSON
                  --quiet          no progress line

                Exit status: 0 ok, 1 failed, 2 usage, 3 some entries could not be restored,
                10 no repository, 12 wrong key.
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        SinkJob.Where where = SinkJob.where(args);
        List<String> pos = args.positional();
        if (where != null) {
            // JOB [SNAPSHOT] [PATH...]: restore paths are absolute, snapshot names never start with '/'
            pos = new ArrayList<>(pos.subList(1, pos.size()));
            if (pos.isEmpty() || pos.get(0).startsWith("/")) {
                pos.add(0, "latest");
            }
        }
        if (pos.isEmpty()) {
            throw new UsageException("which snapshot? give an id, an id prefix, or 'latest'");
        }
        Path target = Path.of(args.required("--target", null));
        List<byte[]> include = new ArrayList<>();
        for (String p : pos.subList(1, pos.size())) {
            Path abs = Path.of(p);
            if (!abs.isAbsolute()) {
                throw new UsageException("restore paths are absolute paths as backed up, not '" + p + "'");
            }
            include.add(RawPath.bytes(abs.normalize()));
        }
        RestoreOptions options = new RestoreOptions(include, "root".equals(System.getProperty("user.name"))
                && !args.flag("--no-owner"));
        if (where != null && where.sink() != null) {
            try (SinkJob remote = SinkJob.open(where); Workers workers = Workers.forMachine()) {
                SnapshotRecord snapshot = remote.choose(pos.get(0), note(console));
                return restore(new Restorer(workers, remote.reader().blobs(snapshot), remote.codec()), snapshot,
                        target, options, args, console);
            }
        }
        RepositoryTarget local = where != null ? where.local() : new RepositoryTarget(Path.of(args.required("--repo",
                "SLUICE_REPO")), args.path("--key-file", "SLUICE_KEY_FILE"),
                args.path("--password-file", "SLUICE_PASSWORD_FILE"));
        try (RepositoryLock lock = Failures.lockFirst(local.repository(), false);
                OpenRepository open = Failures.open(local, null, null);
                Workers workers = Workers.forMachine()) {
            SnapshotRecord snapshot = choose(open, pos.get(0), args, where == null ? args.value("--job") : where.job(),
                    console);
            return restore(new Restorer(workers, open.repository(), open.codec()), snapshot, target, options, args,
                    console);
        }
    }

    private static int restore(Restorer restorer, SnapshotRecord snapshot, Path target, RestoreOptions options,
            Arguments args, Console console) throws CommandException {
        RestoreStats st = restorer.stats();
        Instant start = console.clock().instant();
        try (ProgressLine progress = ProgressLine.start(console.terminal() && !args.flag("--quiet"), console.err(),
                console.clock(), () -> st.files() + " files", st::bytes, st::bytesTotal)) {
            restorer.restore(snapshot, target, options, p -> {
                console.err().print(console.terminal() ? "\r\033[K" : "");
                console.err().println("sluice: warning: " + RawPath.escape(p.path()) + ": " + p.message());
            });
        } catch (java.io.IOException e) {
            throw new CommandException(ExitCode.FAILURE, "restore failed: " + Failures.describe(e), e);
        }
        Summaries.restore(st, Duration.between(start, console.clock().instant()), snapshot.id().shortHex(), target,
                args.flag("--json"), console);
        return st.problems() > 0 ? ExitCode.PARTIAL : ExitCode.OK;
    }

    private static java.util.function.Consumer<String> note(Console console) {
        return line -> console.err().println("sluice: note: " + line);
    }

    private static SnapshotRecord choose(OpenRepository open, String which, Arguments args, String job,
            Console console) throws CommandException {
        if (!which.equals("latest")) {
            try {
                return open.repository().snapshot(which);
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new CommandException(ExitCode.FAILURE, e.getMessage(), e);
            }
        }
        java.util.List<SnapshotRecord> all;
        try {
            all = open.repository().snapshots();
        } catch (java.io.IOException e) {
            throw new CommandException(ExitCode.FAILURE, "cannot list snapshots: " + Failures.describe(e), e);
        }
        return LatestSnapshot.choose(all.stream()
                .filter(s -> job == null || s.job().equals(job))
                .filter(s -> args.value("--host") == null || s.host().equals(args.value("--host")))
                .toList(), open.codec(), note(console));
    }
}
