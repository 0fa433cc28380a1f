package dev.sluice.engine.cli;

import dev.sluice.engine.check.DataCheck;
import dev.sluice.engine.check.SnapshotCheck;
import dev.sluice.engine.job.OpenRepository;
import dev.sluice.engine.job.RepositoryTarget;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.repository.StructureCheck;
import dev.sluice.engine.repository.StructureReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code sluice check}: without the key, checks the repository's structure (what a backup
 * host can verify); with the key, also opens every snapshot; with --read-data, every blob.
 */
final class CheckCommand implements Command {
    @Override public String name() { return "check"; }
    @Override public String summary() { return "verify the repository (structure; with the key, contents)"; }
    @Override public Set<String> valued() { return Set.of("--repo", "--key-file", "--password-file", "--config"); }
    @Override public Set<String> flags() { return Set.of("--help", "--read-data"); }

    @Override
    public String help() {
        return """
                Usage: sluice check --repo DIR [--key-file FILE] [--read-data]
                       sluice check -c CONFIG JOB [--read-data]

                Without a key: checks every pack's hash against its name, the pack trailers,
                the index, and every snapshot's reference list: what a backup host can check
                without being able to read anything.
                With a key: also opens every snapshot and reads its metadata.
                With --read-data (needs the key): also decrypts every blob and checks it
                against its id, and names the files that depend on damaged data.
                With -c and a job whose repository is a sink: opens this source's own snapshots of
                the job over the link (with --read-data, also every blob they reference); the
                structure check is the sink's own business (run it there).

                Exit status: 0 no problems, 4 damage found (listed), 1 failed, 10 no repository,
                11 locked, 12 wrong key.
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        SinkJob.Where where = SinkJob.where(args);
        if (where != null && where.sink() != null) {
            return remote(where, args.flag("--read-data"), console);
        }
        Path repoPath = where != null ? where.local().repository() : Path.of(args.required("--repo", "SLUICE_REPO"));
        Path keyFile = where != null ? where.local().keyFile() : args.path("--key-file", "SLUICE_KEY_FILE");
        Path passwordFile = where != null ? where.local().passwordFile()
                : args.path("--password-file", "SLUICE_PASSWORD_FILE");
        boolean keyed = keyFile != null || passwordFile != null;
        if (args.flag("--read-data") && !keyed) {
            throw new UsageException("--read-data needs the key (--key-file or --password-file)");
        }
        // Locked before the index is loaded, so that a prune cannot change the repository in between.
        RepositoryLock lock = Failures.lockFirst(repoPath, false);
        OpenRepository open = null;
        try (lock) {
            open = keyed ? Failures.open(new RepositoryTarget(repoPath, keyFile, passwordFile), null, null) : null;
            try (Repository keyless = open != null ? null : Failures.openKeyless(repoPath)) {
                Repository repo = open != null ? open.repository() : keyless;
                StructureReport report = StructureCheck.run(repo);
                int problems = 0;
                for (String p : report.problems()) {
                    console.out().println("problem: " + p);
                    problems++;
                }
                String ownLock = lock == null ? null : "locks/" + lock.info().file().getFileName();
                for (String n : report.notes()) {
                    if (ownLock != null && n.contains(ownLock + " ")) {
                        continue; // this check's own shared lock
                    }
                    console.out().println("note: " + n);
                }
                if (open != null) {
                    problems += new DataCheck(repo, open.codec()).run(args.flag("--read-data"), report.damagedPacks(),
                            f -> console.out().println("problem: " + f.message()));
                }
                String scope = open == null ? "structure" : args.flag("--read-data") ? "structure, metadata and data"
                        : "structure and metadata";
                if (problems == 0) {
                    console.out().println("no problems found (" + scope + ": " + repo.snapshots().size()
                            + " snapshots, " + repo.index().size() + " blobs)");
                    return ExitCode.OK;
                }
                console.out().println(problems + " problem(s) found (" + scope + ")");
                return ExitCode.DAMAGED;
            }
        } finally {
            if (open != null) {
                open.close();
            }
        }
    }

    /** The key holder's check of its own snapshots of a job at a sink, read through a read session. */
    private static int remote(SinkJob.Where where, boolean readData, Console console) throws Exception {
        try (SinkJob job = SinkJob.open(where)) {
            SnapshotCheck check = new SnapshotCheck(job.codec());
            List<SnapshotRecord> snapshots = job.snapshots();
            int problems = 0;
            for (SnapshotRecord s : snapshots) {
                try {
                    problems += check.run(s, job.reader().blobs(s), readData,
                            f -> console.out().println("problem: " + f.message()));
                } catch (java.io.IOException e) {
                    throw new CommandException(ExitCode.FAILURE, "checking snapshot " + s.id().shortHex() + " of "
                            + job.describe() + " failed: " + Failures.describe(e), e);
                }
            }
            String scope = readData ? "metadata and data" : "metadata";
            if (problems == 0) {
                console.out().println("no problems found (" + scope + " of " + job.describe() + ": "
                        + snapshots.size() + " snapshots, " + check.blobsVerified() + " blobs)");
                return ExitCode.OK;
            }
            console.out().println(problems + " problem(s) found (" + scope + " of " + job.describe() + ")");
            return ExitCode.DAMAGED;
        }
    }
}
