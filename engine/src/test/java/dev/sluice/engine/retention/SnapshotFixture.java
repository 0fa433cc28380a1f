package dev.sluice.engine.retention;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.PackInfo;
import dev.sluice.engine.repository.PackWriter;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Writes synthetic snapshots straight into a real repository, without a key: each one references one blob of
 * random fake sealed bytes of its own, so a prune that forgets it frees a pack. For retention tests that need many
 * snapshots at chosen times.
 */
public final class SnapshotFixture {
    private final Random random;

    public SnapshotFixture(long seed) {
        this.random = new Random(seed);
    }

    /** Adds a snapshot of {@code job} from {@code host} recorded at {@code time}; returns its id. */
    public SnapshotId add(Path repositoryRoot, String job, String host, Instant time) throws IOException {
        try (Repository repo = Repository.open(repositoryRoot)) {
            byte[] id = new byte[BlobId.LENGTH];
            random.nextBytes(id);
            byte[] sealed = new byte[200];
            random.nextBytes(sealed);
            BlobId blob = BlobId.of(id);
            try (PackWriter w = repo.newPackWriter()) {
                w.add(blob, BlobKind.DATA, sealed, 0, sealed.length);
                PackInfo info = w.finish();
                repo.commitIndex(List.of(info));
            }
            BlobId refs = repo.writeRefs(List.of(blob).iterator());
            return repo.writeSnapshot(SnapshotRecord.create(job, host, time, null, 1, 0, sealed.length,
                    sealed.length, 1, refs, new byte[] {1, 2, 3}));
        }
    }

    /** The times of the snapshots in the repository, by "job@host", oldest first. */
    public static Map<String, List<Instant>> times(Path repositoryRoot) throws IOException {
        Map<String, List<Instant>> out = new TreeMap<>();
        try (Repository repo = Repository.open(repositoryRoot)) {
            for (SnapshotRecord s : repo.snapshots()) {
                out.computeIfAbsent(s.job() + "@" + s.host(), k -> new java.util.ArrayList<>()).add(s.time());
            }
        }
        out.replaceAll((k, v) -> v.stream().sorted().toList());
        return out;
    }
}
