package dev.sluice.engine.daemon;

import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the daemon reads from a repository without the key: when a job last made a snapshot (for the missed-run
 * rule, which must survive reboots) and how many bytes the repository holds on disk.
 */
final class RepositoryFacts {
    private RepositoryFacts() {}

    /** The time of the newest snapshot of this job and host, or empty when there is none. */
    static Optional<Instant> lastSnapshot(Path repository, String job, String host) throws IOException {
        try (Repository repo = Repository.open(repository)) {
            return repo.snapshots().stream()
                    .filter(s -> s.job().equals(job) && s.host().equals(host))
                    .map(SnapshotRecord::time)
                    .max(Comparator.naturalOrder());
        }
    }

    /** The total size of the repository's regular files. */
    static long size(Path repository) throws IOException {
        try (Stream<Path> files = Files.walk(repository)) {
            return files.mapToLong(f -> {
                try {
                    return Files.isRegularFile(f) ? Files.size(f) : 0;
                } catch (NoSuchFileException gone) {
                    return 0; // a temporary file renamed or removed while we walked
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
