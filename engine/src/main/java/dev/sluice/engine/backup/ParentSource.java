package dev.sluice.engine.backup;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import java.io.IOException;
import java.util.Comparator;
import java.util.Optional;

/**
 * Where a backup finds its parent snapshot and the parent's tree blobs: a local repository, or a
 * remote sink that answers for this source's own snapshots only.
 */
public interface ParentSource {

    /** The newest snapshot of {@code job} from {@code host}, if any. */
    Optional<SnapshotRecord> latest(String job, String host) throws IOException;

    /** The sealed bytes of one blob of such a snapshot. */
    byte[] readBlob(BlobId id) throws IOException;

    /** The parent source of a local repository. */
    static ParentSource of(Repository repository) {
        return new ParentSource() {
            @Override
            public Optional<SnapshotRecord> latest(String job, String host) throws IOException {
                return repository.snapshots().stream()
                        .filter(s -> s.job().equals(job) && s.host().equals(host))
                        .max(Comparator.comparing(SnapshotRecord::time));
            }

            @Override
            public byte[] readBlob(BlobId id) throws IOException {
                return repository.readBlob(id);
            }
        };
    }
}
