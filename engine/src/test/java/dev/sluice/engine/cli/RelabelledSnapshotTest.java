package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key-less holder of the repository (a sink, a thief of its disk) rewrites a snapshot's clear header and stores
 * the record under its new name: a changed job or parent is refused wherever the key reads the snapshot; a changed
 * host or time (what a sink rewrites on purpose) is not.
 */
class RelabelledSnapshotTest {
    @TempDir
    Path dir;

    /** Two snapshots of job "default"; returns the second, which has the first as parent. */
    private SnapshotRecord twoSnapshots(LocalRepo repo, Path src) throws Exception {
        Files.createDirectories(src);
        Files.writeString(src.resolve("a.txt"), "one\n");
        repo.backup(src.toString()).expect(0);
        Files.writeString(src.resolve("b.txt"), "two\n");
        repo.backup(src.toString()).expect(0);
        try (Repository r = Repository.open(repo.repo())) {
            return r.snapshots().stream().filter(s -> s.parent() != null).findFirst().orElseThrow();
        }
    }

    /** Rewrites {@code s}'s clear header as a key-less holder can, under the record's new name. */
    private static SnapshotId relabel(LocalRepo repo, SnapshotRecord s, UnaryOperator<SnapshotRecord> edit)
            throws Exception {
        try (Repository r = Repository.open(repo.repo())) {
            SnapshotId id = r.writeSnapshot(edit.apply(s));
            r.deleteSnapshots(List.of(s.id()));
            return id;
        }
    }

    private static SnapshotRecord with(SnapshotRecord s, String job, String host, java.time.Instant time,
            SnapshotId parent) {
        return SnapshotRecord.create(job, host, time, parent, s.files(), s.dirs(), s.bytes(), s.addedBytes(),
                s.addedBlobs(), s.refs(), s.sealedPayload());
    }

    @Test
    void aChangedJobIsRefusedByRestoreCheckAndSnapshots() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        SnapshotRecord s = twoSnapshots(repo, dir.resolve("src"));
        SnapshotId moved = relabel(repo, s, r -> with(r, "payroll", r.host(), r.time(), r.parent()));

        CliRun restore = repo.restore(moved.hex(), dir.resolve("out"));
        assertEquals(1, restore.exit(), restore.toString());
        assertTrue(restore.err().contains("its clear header was changed after the source sealed it")
                && restore.err().contains("job 'payroll', the source's is 'default'"), restore.err());
        assertTrue(!Files.exists(dir.resolve("out")) || Files.list(dir.resolve("out")).findAny().isEmpty(),
                "nothing is restored from a relabelled snapshot");

        CliRun check = repo.check(true);
        assertTrue(check.exit() != 0, check.toString());
        assertTrue(check.out().contains("snapshot " + moved.shortHex() + ": its clear header was changed")
                || check.err().contains("snapshot " + moved.shortHex() + ": its clear header was changed"),
                check.toString());

        CliRun list = CliRun.of("snapshots", "--repo", repo.repo().toString(), "--key-file", repo.key().toString());
        assertTrue(list.out().contains("<refused: its clear header was changed"), list.toString());
    }

    @Test
    void aChangedParentIsRefused() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        SnapshotRecord s = twoSnapshots(repo, dir.resolve("src"));
        SnapshotId orphan = relabel(repo, s, r -> with(r, r.job(), r.host(), r.time(), null));
        CliRun restore = repo.restore(orphan.hex(), dir.resolve("out"));
        assertEquals(1, restore.exit(), restore.toString());
        assertTrue(restore.err().contains("parent none, the source's is " + s.parent().shortHex()), restore.err());
    }

    @Test
    void aChangedHostOrTimeAsASinkStoresThemIsAccepted() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        Path src = dir.resolve("src");
        SnapshotRecord s = twoSnapshots(repo, src);
        SnapshotId stored = relabel(repo, s, r -> with(r, r.job(), "identity-web-1",
                r.time().plus(Duration.ofHours(3)), r.parent()));
        CliRun restore = repo.restore(stored.hex(), dir.resolve("out"));
        assertEquals(0, restore.exit(), restore.toString());
        assertEquals("two\n", Files.readString(LocalRepo.restored(dir.resolve("out"), src).resolve("b.txt")));
        assertEquals(0, repo.check(true).exit());
    }

    /** An old snapshot given the newest header time (a rollback as a key-less holder can stage it). */
    @Test
    void latestIsTheSnapshotItsSourceTookLastNotTheNewestHeader() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        Path src = dir.resolve("src");
        SnapshotRecord second = twoSnapshots(repo, src);
        SnapshotRecord first;
        try (Repository r = Repository.open(repo.repo())) {
            first = r.readSnapshot(second.parent());
        }
        SnapshotId promoted = relabel(repo, first, r -> with(r, r.job(), r.host(),
                second.time().plus(Duration.ofDays(1)), r.parent()));
        CliRun restore = repo.restore("latest", dir.resolve("out"));
        assertEquals(0, restore.exit(), restore.toString());
        assertTrue(Files.exists(LocalRepo.restored(dir.resolve("out"), src).resolve("b.txt")),
                "the first snapshot (without b.txt) was restored: " + restore);
        assertTrue(restore.err().contains("snapshot " + promoted.shortHex() + " has the newest time in its clear"
                + " header") && restore.err().contains("snapshot " + second.id().shortHex() + " is the one its"
                + " source took last"), restore.err());
    }

    /** A relabelled snapshot is passed over for latest, with a note, and the others still restore. */
    @Test
    void aRelabelledSnapshotIsPassedOverForLatest() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        Path src = dir.resolve("src");
        SnapshotRecord second = twoSnapshots(repo, src);
        SnapshotId orphan = relabel(repo, second, r -> with(r, r.job(), r.host(), r.time(), null));
        CliRun restore = repo.restore("latest", dir.resolve("out"));
        assertEquals(0, restore.exit(), restore.toString());
        assertTrue(restore.err().contains("passing over snapshot " + orphan.shortHex()), restore.err());
        assertTrue(Files.exists(LocalRepo.restored(dir.resolve("out"), src).resolve("a.txt")));
        assertTrue(!Files.exists(LocalRepo.restored(dir.resolve("out"), src).resolve("b.txt")));
    }
}
