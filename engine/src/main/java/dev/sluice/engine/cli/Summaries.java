package dev.sluice.engine.cli;

import dev.sluice.engine.json.JsonWriter;

import dev.sluice.engine.backup.BackupRequest;
import dev.sluice.engine.backup.BackupResult;
import dev.sluice.engine.backup.BackupStats;
import dev.sluice.engine.restore.RestoreStats;
import dev.sluice.hook.HookResult;
import java.time.Duration;
import java.util.List;

/** The end-of-run summaries of backup and restore, for people and (with --json) for scripts. */
final class Summaries {
    private Summaries() {}

    static void backup(BackupResult r, BackupRequest request, List<HookResult> hooks, boolean json, Console console) {
        BackupStats s = r.stats();
        if (json) {
            JsonWriter w = new JsonWriter().beginObject();
            w.name("hooks").beginArray();
            for (HookResult h : hooks) {
                w.beginObject().field("point", h.point().id()).field("path", h.executable().toString())
                        .field("status", h.status().name().toLowerCase(java.util.Locale.ROOT))
                        .field("exit_code", h.exitCode()).field("duration_ms", h.duration().toMillis()).endObject();
            }
            w.endArray();
            console.out().println(w
                    .field("snapshot", r.snapshot().hex())
                    .field("parent", r.parent() == null ? null : r.parent().hex())
                    .field("job", request.job())
                    .field("host", request.host())
                    .field("files_new", s.filesNew())
                    .field("files_changed", s.filesChanged())
                    .field("files_unchanged", s.filesUnchanged())
                    .field("dirs", s.dirs())
                    .field("others", s.others())
                    .field("problems", s.problems())
                    .field("bytes_total", s.bytesTotal())
                    .field("bytes_read", s.bytesRead())
                    .field("bytes_added", s.bytesAdded())
                    .field("blobs_added", s.blobsAdded())
                    .field("tree_blobs_added", s.treeBlobsAdded())
                    .field("duration_ms", r.duration().toMillis())
                    .endObject());
            return;
        }
        var out = console.out();
        out.printf("snapshot %s saved%s (job %s, host %s)%n", r.snapshot().shortHex(),
                r.parent() == null ? "" : ", parent " + r.parent().shortHex(), request.job(), request.host());
        out.printf("files:    %d new, %d changed, %d unchanged; %d directories, %d other%n",
                s.filesNew(), s.filesChanged(), s.filesUnchanged(), s.dirs(), s.others());
        out.printf("data:     %s in the snapshot, %s read, %s added to the repository (%d data + %d metadata blobs)%n",
                Human.bytes(s.bytesTotal()), Human.bytes(s.bytesRead()), Human.bytes(s.bytesAdded()), s.blobsAdded(),
                s.treeBlobsAdded());
        out.printf("time:     %s (%s read)%n", Human.duration(r.duration()), Human.rate(s.bytesRead(), r.duration()));
        for (HookResult h : hooks) {
            out.printf("hook:     %-13s %s: %s (exit %d) in %s%n", h.point().id(), h.executable(),
                    h.status().name().toLowerCase(java.util.Locale.ROOT), h.exitCode(), Human.duration(h.duration()));
        }
        if (s.parentUnreadable() != null) {
            out.println("note:     the parent snapshot could not be used, every file was read: " + s.parentUnreadable());
        }
        if (s.problems() > 0) {
            out.printf("problems: %d file(s) could not be read completely (listed above)%n", s.problems());
        }
    }

    static void restore(RestoreStats s, Duration d, String snapshot, java.nio.file.Path target, boolean json,
            Console console) {
        if (json) {
            console.out().println(new JsonWriter().beginObject()
                    .field("snapshot", snapshot)
                    .field("target", target.toString())
                    .field("files", s.files())
                    .field("dirs", s.dirs())
                    .field("others", s.others())
                    .field("bytes", s.bytes())
                    .field("problems", s.problems())
                    .field("duration_ms", d.toMillis())
                    .endObject());
            return;
        }
        var out = console.out();
        out.printf("restored snapshot %s to %s%n", snapshot, target);
        out.printf("files:    %d files, %d directories, %d other%n", s.files(), s.dirs(), s.others());
        out.printf("data:     %s in %s (%s)%n", Human.bytes(s.bytes()), Human.duration(d), Human.rate(s.bytes(), d));
        if (s.problems() > 0) {
            out.printf("problems: %d entries could not be restored (listed above)%n", s.problems());
        }
    }
}
