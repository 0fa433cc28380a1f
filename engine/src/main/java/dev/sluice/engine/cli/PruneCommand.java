package dev.sluice.engine.cli;

import dev.sluice.engine.config.DurationSyntax;
import dev.sluice.engine.json.JsonWriter;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.LocalRepositorySpec;
import dev.sluice.engine.config.SinkSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.gc.GcOptions;
import dev.sluice.engine.gc.GcResult;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.RepositoryLockedException;
import dev.sluice.engine.retention.Pruner;
import dev.sluice.engine.retention.RetentionDecision;
import dev.sluice.engine.retention.RetentionPolicy;
import dev.sluice.engine.retention.RetentionRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code sluice prune}: applies a retention policy to the snapshot headers and collects the garbage,
 * without the key; it runs on the backup host, which owns history.
 */
final class PruneCommand implements Command {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    private static final List<String> COUNT_OPTIONS = List.of("--keep-last", "--keep-hourly", "--keep-daily",
            "--keep-weekly", "--keep-monthly", "--keep-yearly");

    @Override public String name() { return "prune"; }
    @Override public String summary() { return "forget snapshots by a retention policy and free their space (no key)"; }
    @Override public Set<String> valued() {
        return Set.of("--repo", "--config", "--job", "--host", "--keep-last", "--keep-hourly", "--keep-daily",
                "--keep-weekly", "--keep-monthly", "--keep-yearly", "--keep-within", "--repack-below");
    }
    @Override public Set<String> flags() { return Set.of("--help", "--dry-run", "--json"); }

    @Override
    public String help() {
        return """
                Usage: sluice prune --repo DIR [--dry-run] [--json] [--job NAME] [--host NAME] KEEP-OPTIONS
                       sluice prune -c CONFIG [--dry-run] [--json] [--host NAME] [JOB...]

                Decides for every snapshot whether it is kept (and which rules keep it), removes
                the others, deletes the data no remaining snapshot references and rewrites packs
                that are mostly garbage. Needs no key: it reads only the clear snapshot headers
                and reference lists, so the backup host can prune without being able to read.
                Snapshots are judged per job and host. For each bucket rule the newest snapshot of
                each of the N most recent hours/days/ISO weeks/months/years (UTC) that hold a
                snapshot is kept, counting back from the newest snapshot, not from now.

                Keep options (at least one; with -c, each job's retention block is used, and
                without JOB arguments also the sink's policies per client identity and job,
                global.sink.clients.ID.retention / job_retention, on global.sink.repository):
                  --keep-last N        the N newest snapshots
                  --keep-hourly N      the newest snapshot of each of the last N hours with one
                  --keep-daily N       ... days
                  --keep-weekly N      ... ISO weeks (Monday to Sunday)
                  --keep-monthly N     ... months
                  --keep-yearly N      ... years
                  --keep-within DUR    every snapshot within DUR of the newest (e.g. 2d, 36h, 1w)
                Other options:
                  --job NAME, --host NAME  judge only these snapshots; the others are untouched
                  --dry-run                show what would happen; change nothing
                  --repack-below PERCENT   rewrite packs with less live data than this (70)
                  --json                   print the result as JSON

                Takes the repository's exclusive lock: a backup that starts meanwhile fails with
                exit status 11 and can simply be retried.
                Exit status: 0 ok, 1 failed, 2 usage, 10 no repository, 11 locked.
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        Map<Path, List<Pruner.Scope>> byRepository = new LinkedHashMap<>();
        String host = args.value("--host");
        if (args.value("--config") != null) {
            for (String option : keepOptions()) {
                if (args.value(option) != null) {
                    throw new UsageException(option + " cannot be combined with -c; the retention blocks of the"
                            + " config file apply");
                }
            }
            if (args.value("--job") != null) {
                throw new UsageException("with -c, name the jobs as arguments instead of --job");
            }
            SluiceConfig config = ConfigCommands.load(Path.of(args.value("--config")));
            List<String> wanted = args.positional();
            for (String name : wanted) {
                if (config.job(name).isEmpty()) {
                    throw new UsageException("no job named '" + name + "' in " + args.value("--config"));
                }
            }
            for (JobSpec job : config.jobs()) {
                if (!wanted.isEmpty() && !wanted.contains(job.name())) {
                    continue;
                }
                if (job.retention() == null) {
                    console.err().println("sluice prune: job " + job.name() + " has no retention block; all its"
                            + " snapshots are kept");
                    continue;
                }
                if (!(job.repository() instanceof LocalRepositorySpec local)) {
                    throw new UsageException("job " + job.name() + ": only local repositories can be pruned for now");
                }
                // a pull job's snapshots are filed under the source's job and identity
                byRepository.computeIfAbsent(local.path(), k -> new ArrayList<>())
                        .add(job.source() != null
                                ? new Pruner.Scope(job.source().job(), job.source().peer(),
                                        RetentionPolicy.of(job.retention()))
                                : new Pruner.Scope(job.name(), host, RetentionPolicy.of(job.retention())));
            }
            SinkSpec sink = config.global().sink();
            if (sink != null && wanted.isEmpty()) {
                // a sink's client policies, each on that identity's snapshots of the job only
                sink.retention().forEach((identity, jobs) -> jobs.forEach((job, spec) -> {
                    if (host == null || host.equals(identity)) {
                        byRepository.computeIfAbsent(sink.repository(), k -> new ArrayList<>())
                                .add(new Pruner.Scope(job, identity, RetentionPolicy.of(spec)));
                    }
                }));
            }
            if (byRepository.isEmpty()) {
                throw new UsageException("none of the selected jobs has a retention block (nor any sink client a"
                        + " policy); nothing to prune");
            }
        } else {
            if (!args.positional().isEmpty()) {
                throw new UsageException("unexpected argument '" + args.positional().get(0) + "' (job names are"
                        + " given with -c CONFIG)");
            }
            Path repo = Path.of(args.required("--repo", "SLUICE_REPO"));
            RetentionPolicy policy = policyOf(args);
            if (policy.isEmpty()) {
                throw new UsageException("no keep rule given: prune would forget every snapshot; give at least one"
                        + " of --keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly,"
                        + " --keep-yearly, --keep-within");
            }
            byRepository.put(repo, List.of(new Pruner.Scope(args.value("--job"), host, policy)));
        }
        GcOptions options = new GcOptions(repackBelow(args), args.flag("--dry-run"));
        for (Map.Entry<Path, List<Pruner.Scope>> e : byRepository.entrySet()) {
            Path repo = e.getKey();
            if (!Files.isRegularFile(repo.resolve("config"))) {
                Failures.openKeyless(repo).close(); // reports "no repository" with exit status 10
            }
            Pruner.Outcome outcome;
            try {
                outcome = Pruner.run(repo, e.getValue(), options, RepositoryLock.Owner.current(), console.clock());
            } catch (RepositoryLockedException locked) {
                throw new CommandException(ExitCode.LOCKED, locked.getMessage(), locked);
            }
            print(repo, e.getValue(), outcome, args.flag("--json"), console);
        }
        return ExitCode.OK;
    }

    private static List<String> keepOptions() {
        List<String> all = new ArrayList<>(COUNT_OPTIONS);
        all.add("--keep-within");
        return all;
    }

    private static RetentionPolicy policyOf(Arguments args) throws UsageException {
        int[] n = new int[COUNT_OPTIONS.size()];
        for (int i = 0; i < n.length; i++) {
            n[i] = args.intValue(COUNT_OPTIONS.get(i), 0);
            if (n[i] < 0) {
                throw new UsageException(COUNT_OPTIONS.get(i) + " must not be negative, got " + n[i]);
            }
        }
        Duration within = Duration.ZERO;
        if (args.value("--keep-within") != null) {
            try {
                within = DurationSyntax.parse(args.value("--keep-within"));
            } catch (IllegalArgumentException bad) {
                throw new UsageException("--keep-within: " + bad.getMessage());
            }
        }
        return new RetentionPolicy(n[0], n[1], n[2], n[3], n[4], n[5], within);
    }

    private static double repackBelow(Arguments args) throws UsageException {
        int percent = args.intValue("--repack-below", (int) Math.round(GcOptions.DEFAULT_MIN_LIVE_FRACTION * 100));
        if (percent < 0 || percent > 100) {
            throw new UsageException("--repack-below must be a percentage from 0 to 100, got " + percent);
        }
        return percent / 100.0;
    }

    private static void print(Path repo, List<Pruner.Scope> scopes, Pruner.Outcome outcome, boolean json,
                              Console console) {
        GcResult gc = outcome.gc();
        int kept = 0;
        int forgotten = 0;
        for (List<RetentionDecision> list : outcome.decisions()) {
            for (RetentionDecision d : list) {
                if (d.keep()) {
                    kept++;
                } else {
                    forgotten++;
                }
            }
        }
        if (json) {
            JsonWriter w = new JsonWriter().beginObject()
                    .field("repository", repo.toString())
                    .name("dry_run").value(gc.dryRun())
                    .field("kept", kept)
                    .field("forgotten", forgotten)
                    .name("snapshots").beginArray();
            for (List<RetentionDecision> list : outcome.decisions()) {
                for (RetentionDecision d : list) {
                    w.beginObject().field("id", d.id().hex()).field("time", d.snapshot().time().toString())
                            .field("job", d.snapshot().job()).field("host", d.snapshot().host())
                            .name("keep").value(d.keep()).name("rules").beginArray();
                    for (RetentionRule r : RetentionRule.values()) {
                        if (d.rules().contains(r)) {
                            w.value(r.label());
                        }
                    }
                    w.endArray().endObject();
                }
            }
            w.endArray()
                    .field("snapshots_removed", gc.snapshotsRemoved())
                    .field("snapshots_remaining", gc.snapshotsRemaining())
                    .field("live_blobs", gc.liveBlobs())
                    .field("blobs_removed", gc.blobsRemoved())
                    .field("packs_before", gc.packsBefore())
                    .field("packs_deleted", gc.packsDeleted())
                    .field("packs_rewritten", gc.packsRewritten())
                    .field("packs_written", gc.packsWritten())
                    .field("pack_bytes_before", gc.packBytesBefore())
                    .field("pack_bytes_after", gc.packBytesAfter())
                    .field("bytes_freed", gc.bytesFreed())
                    .name("notes").beginArray();
            for (String note : gc.notes()) {
                w.value(note);
            }
            console.out().println(w.endArray().endObject());
            return;
        }
        console.out().println("repository " + repo);
        for (int i = 0; i < scopes.size(); i++) {
            Pruner.Scope scope = scopes.get(i);
            console.out().println("policy for " + scope.describe() + ": keep " + scope.policy().describe());
            for (RetentionDecision d : outcome.decisions().get(i)) {
                console.out().printf("%-6s  %-8s  %-19s  %-16s  %-16s  %s%n", d.keep() ? "keep" : "forget",
                        d.id().shortHex(), TIME.format(d.snapshot().time()), d.snapshot().job(), d.snapshot().host(),
                        d.rulesText());
            }
        }
        console.out().println((kept + forgotten) + " snapshot(s): " + kept + " kept, " + forgotten
                + (gc.dryRun() ? " would be forgotten" : " forgotten"));
        for (String note : gc.notes()) {
            console.out().println("note: " + note);
        }
        if (gc.dryRun()) {
            console.out().printf("dry run: would delete %d pack(s), rewrite %d, and free about %s (packs %s -> %s)%n",
                    gc.packsDeleted(), gc.packsRewritten(), Human.bytes(gc.bytesFreed()),
                    Human.bytes(gc.packBytesBefore()), Human.bytes(gc.packBytesAfter()));
        } else {
            console.out().printf("garbage collection: %d blob(s) removed, %d pack(s) deleted, %d rewritten into %d;"
                            + " packs %s -> %s; %s freed%n", gc.blobsRemoved(), gc.packsDeleted(),
                    gc.packsRewritten(), gc.packsWritten(), Human.bytes(gc.packBytesBefore()),
                    Human.bytes(gc.packBytesAfter()), Human.bytes(gc.bytesFreed()));
        }
    }
}
