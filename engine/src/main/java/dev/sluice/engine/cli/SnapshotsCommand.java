package dev.sluice.engine.cli;

import dev.sluice.engine.json.JsonWriter;

import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.HeaderMismatchException;
import dev.sluice.engine.content.SnapshotPayload;
import dev.sluice.engine.job.OpenRepository;
import dev.sluice.engine.job.RepositoryTarget;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code sluice snapshots}: lists snapshots. Without a key it shows what the backup host
 * sees (time, job, host, sizes); with the key it also shows the backed-up paths.
 */
final class SnapshotsCommand implements Command {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Override public String name() { return "snapshots"; }
    @Override public String summary() { return "list snapshots"; }
    @Override public Set<String> valued() {
        return Set.of("--repo", "--key-file", "--password-file", "--job", "--host", "--config");
    }
    @Override public Set<String> flags() { return Set.of("--help", "--json"); }

    @Override
    public String help() {
        return """
                Usage: sluice snapshots --repo DIR [--key-file FILE] [--json] [--job NAME] [--host NAME]
                       sluice snapshots -c CONFIG JOB [--json]

                Lists the snapshots, oldest first, times in UTC. The key is optional: without it
                you see what the backup host sees (id, time, job, host, sizes); with it, also
                the paths each snapshot holds.
                With -c, lists the snapshots of a job of the config file; when its repository is a
                sink, this source's own snapshots of the job, read over the link with its key file
                (a wrong key file fails with exit status 12).
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        SinkJob.Where where = SinkJob.where(args);
        if (where != null && where.sink() != null) {
            try (SinkJob remote = SinkJob.open(where)) {
                print(remote.snapshots(), s -> paths(remote.codec(), s), args, console);
            }
            return ExitCode.OK;
        }
        Path repoPath = where != null ? where.local().repository() : Path.of(args.required("--repo", "SLUICE_REPO"));
        Path keyFile = where != null ? where.local().keyFile() : args.path("--key-file", "SLUICE_KEY_FILE");
        Path passwordFile = where != null ? where.local().passwordFile()
                : args.path("--password-file", "SLUICE_PASSWORD_FILE");
        boolean keyed = keyFile != null || passwordFile != null;
        OpenRepository open = keyed ? Failures.open(new RepositoryTarget(repoPath, keyFile, passwordFile), null, null) : null;
        try (Repository repo = open != null ? null : Failures.openKeyless(repoPath)) {
            Repository r = open != null ? open.repository() : repo;
            var listing = r.listSnapshots();
            List<SnapshotRecord> list = new ArrayList<>(listing.snapshots());
            String job = where != null ? where.job() : args.value("--job");
            list.removeIf(s -> job != null && !s.job().equals(job)
                    || args.value("--host") != null && !s.host().equals(args.value("--host")));
            list.sort(Comparator.comparing(SnapshotRecord::time));
            print(list, open == null ? null : s -> paths(open.codec(), s), args, console);
            for (String problem : listing.problems()) {
                console.err().println("sluice: warning: " + problem);
            }
        } finally {
            if (open != null) {
                open.close();
            }
        }
        return ExitCode.OK;
    }

    /** Prints the listing; {@code paths} is null without the key. */
    private static void print(List<SnapshotRecord> list, Function<SnapshotRecord, List<String>> paths,
            Arguments args, Console console) {
        boolean keyed = paths != null;
        if (args.flag("--json")) {
            JsonWriter json = new JsonWriter().beginArray();
            for (SnapshotRecord s : list) {
                json.beginObject()
                        .field("id", s.id().hex())
                        .field("time", s.time().toString())
                        .field("job", s.job())
                        .field("host", s.host())
                        .field("parent", s.parent() == null ? null : s.parent().hex())
                        .field("files", s.files())
                        .field("dirs", s.dirs())
                        .field("bytes", s.bytes())
                        .field("bytes_added", s.addedBytes());
                if (keyed) {
                    json.name("paths").beginArray();
                    for (String p : paths.apply(s)) {
                        json.value(p);
                    }
                    json.endArray();
                }
                json.endObject();
            }
            console.out().println(json.endArray());
        } else {
            console.out().printf("%-8s  %-19s  %-16s  %-16s  %9s  %10s  %10s%s%n", "ID", "TIME (UTC)", "JOB", "HOST",
                    "FILES", "SIZE", "ADDED", keyed ? "  PATHS" : "");
            for (SnapshotRecord s : list) {
                console.out().printf("%-8s  %-19s  %-16s  %-16s  %9d  %10s  %10s%s%n", s.id().shortHex(),
                        TIME.format(s.time()), s.job(), s.host(), s.files(), Human.bytes(s.bytes()),
                        Human.bytes(s.addedBytes()), keyed ? "  " + String.join(" ", paths.apply(s)) : "");
            }
            console.out().println(list.size() + " snapshot(s)");
        }
    }

    private static List<String> paths(BlobCodec codec, SnapshotRecord s) {
        try {
            SnapshotPayload p = SnapshotPayload.open(codec, s);
            return p.roots().stream().map(RawPath::escape).toList();
        } catch (HeaderMismatchException e) {
            return List.of("<refused: " + e.getMessage() + ">");
        } catch (java.io.IOException e) {
            return List.of("<unreadable: " + e.getMessage() + ">");
        }
    }
}
