package dev.sluice.engine.cli;

import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.SnapshotPayload;
import dev.sluice.engine.repository.SnapshotRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Which snapshot is "latest" for a key holder: the one its source took last, by the time the source sealed into the
 * payload, not by the clear header's time, which a key-less holder can rewrite (docs/repository.md "Binding the
 * clear header to the source"). Snapshots whose payload does not open, or whose header was relabelled, are passed
 * over with a note.
 */
final class LatestSnapshot {
    private LatestSnapshot() {}

    private record Candidate(SnapshotRecord record, Instant taken) {}

    /**
     * @param candidates the snapshots to choose among (already filtered by job and host)
     * @param note told about every snapshot passed over, and when the header's newest is not the source's newest
     * @throws CommandException when none of them opens
     */
    static SnapshotRecord choose(List<SnapshotRecord> candidates, BlobCodec codec, Consumer<String> note)
            throws CommandException {
        Comparator<Candidate> order = Comparator.comparing(Candidate::taken)
                .thenComparing(c -> c.record().time()).thenComparing(c -> c.record().id());
        Candidate best = null;
        for (SnapshotRecord s : candidates) {
            Instant taken;
            try {
                SnapshotPayload.Source source = SnapshotPayload.open(codec, s).source();
                taken = source != null ? source.time() : s.time(); // version 1: only the header's time
            } catch (IOException e) {
                note.accept("passing over snapshot " + s.id().shortHex() + " for 'latest': " + e.getMessage());
                continue;
            }
            Candidate c = new Candidate(s, taken);
            if (best == null || order.compare(c, best) > 0) {
                best = c;
            }
        }
        if (best == null) {
            throw new CommandException(ExitCode.FAILURE, candidates.isEmpty() ? "the repository has no matching snapshot"
                    : "none of the " + candidates.size() + " matching snapshots can be opened with this key");
        }
        SnapshotRecord newestHeader = candidates.stream()
                .max(Comparator.comparing(SnapshotRecord::time).thenComparing(SnapshotRecord::id)).orElseThrow();
        if (!newestHeader.id().equals(best.record().id())) {
            note.accept("snapshot " + newestHeader.id().shortHex() + " has the newest time in its clear header ("
                    + newestHeader.time() + "), but snapshot " + best.record().id().shortHex()
                    + " is the one its source took last (" + best.taken() + "); restoring that one");
        }
        return best.record();
    }
}
