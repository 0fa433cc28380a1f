package dev.sluice.engine.cli;

import dev.sluice.engine.fs.RawPath;
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

/**
 * {@code sluice snapshots}: lists snapshots. Without a key it shows what the backup host
 * sees (time, job, host, sizes); with the key it also shows the backed-up paths.
 */
final class SnapshotsCommand implements Command {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Override public String name() { return "snapshots"; }
    @Override public String summary() { return "list snapshots"; }
    @Override public Set<String> valued() { return Set.of("--repo", "--key-file", "--password-file", "--job", "--host"); }
    @Override public Set<String> flags() { return Set.of("--help", "--json"); }

    @Override
    public String help() {
        return """
                Usage: sluice snapshots --repo DIR [--key-file FILE] [--json] [--job NAME] [--host NAME]

                Lists the snapshots, oldest first, times in UTC. The key is optional: without it
                you see what the backup host sees (id, time, job, host, sizes); with it, also
                the paths each snapshot holds.
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        Path repoPath = Path.of(args.required("--repo", "SLUICE_REPO"));
        Path keyFile = args.path("--key-file", "SLUICE_KEY_FILE");
        Path passwordFile = args.path("--password-file", "SLUICE_PASSWORD_FILE");
        boolean keyed = keyFile != null || passwordFile != null;
        OpenRepository open = keyed ? Failures.open(new RepositoryTarget(repoPath, keyFile, passwordFile), null, null) : null;
        try (Repository repo = open != null ? null : Failures.openKeyless(repoPath)) {
            Repository r = open != null ? open.repository() : repo;
            var listing = r.listSnapshots();
            List<SnapshotRecord> list = new ArrayList<>(listing.snapshots());
            list.removeIf(s -> args.value("--job") != null && !s.job().equals(args.value("--job"))
                    || args.value("--host") != null && !s.host().equals(args.value("--host")));
            list.sort(Comparator.comparing(SnapshotRecord::time));
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
                    if (open != null) {
                        json.name("paths").beginArray();
                        for (String p : paths(open, s)) {
                            json.value(p);
                        }
                        json.endArray();
                    }
                    json.endObject();
                }
                console.out().println(json.endArray());
            } else {
                console.out().printf("%-8s  %-19s  %-16s  %-16s  %9s  %10s  %10s%s%n", "ID", "TIME (UTC)", "JOB", "HOST",
                        "FILES", "SIZE", "ADDED", open != null ? "  PATHS" : "");
                for (SnapshotRecord s : list) {
                    console.out().printf("%-8s  %-19s  %-16s  %-16s  %9d  %10s  %10s%s%n", s.id().shortHex(),
                            TIME.format(s.time()), s.job(), s.host(), s.files(), Human.bytes(s.bytes()),
                            Human.bytes(s.addedBytes()), open != null ? "  " + String.join(" ", paths(open, s)) : "");
                }
                console.out().println(list.size() + " snapshot(s)");
            }
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

    private static List<String> paths(OpenRepository open, SnapshotRecord s) {
        try {
            SnapshotPayload p = SnapshotPayload.decode(open.codec().openPayload(s.refs(), s.sealedPayload()));
            return p.roots().stream().map(RawPath::escape).toList();
        } catch (java.io.IOException e) {
            return List.of("<unreadable: " + e.getMessage() + ">");
        }
    }
}
