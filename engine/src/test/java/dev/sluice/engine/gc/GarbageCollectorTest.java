package dev.sluice.engine.gc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.PackInfo;
import dev.sluice.engine.repository.PackWriter;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryException;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.RepositoryLockedException;
import dev.sluice.engine.repository.RepositorySettings;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.repository.StructureCheck;
import dev.sluice.engine.repository.StructureReport;
import dev.sluice.engine.retention.Pruner;
import dev.sluice.engine.retention.RetentionDecision;
import dev.sluice.engine.retention.RetentionPlanner;
import dev.sluice.engine.retention.RetentionPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection on repositories built directly from fake sealed blobs: no key exists anywhere in
 * these tests, which is the point (the sink never has one).
 */
class GarbageCollectorTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC);
    private static final RepositoryLock.Owner OWNER = RepositoryLock.Owner.current();

    @TempDir
    Path dir;

    private final Random random = new Random(42);
    private final Map<BlobId, byte[]> content = new HashMap<>();

    private BlobId blob() {
        byte[] id = new byte[32];
        random.nextBytes(id);
        byte[] sealed = new byte[100 + random.nextInt(400)];
        random.nextBytes(sealed);
        BlobId b = BlobId.of(id);
        content.put(b, sealed);
        return b;
    }

    private PackInfo pack(Repository repo, List<BlobId> blobs) throws IOException {
        try (PackWriter w = repo.newPackWriter()) {
            for (BlobId b : blobs) {
                byte[] s = content.get(b);
                w.add(b, BlobKind.DATA, s, 0, s.length);
            }
            PackInfo info = w.finish();
            repo.commitIndex(List.of(info));
            return info;
        }
    }

    private SnapshotId snapshot(Repository repo, Instant time, Set<BlobId> blobs) throws IOException {
        BlobId refs = repo.writeRefs(new TreeSet<>(blobs).iterator());
        return repo.writeSnapshot(SnapshotRecord.create("job", "host", time, null, blobs.size(), 0, 0, 0, 0, refs,
                new byte[] {1, 2, 3}));
    }

    private Repository init() throws IOException {
        return Repository.init(dir.resolve("repo"), RepositorySettings.createDefault(CLOCK, new SecureRandom()));
    }

    private void assertIntact(Set<BlobId> mustRemain) throws IOException {
        try (Repository repo = Repository.open(dir.resolve("repo"))) {
            StructureReport report = StructureCheck.run(repo);
            assertEquals(List.of(), report.problems());
            assertEquals(List.of(), repo.openProblems());
            for (BlobId b : mustRemain) {
                assertArrayEquals(content.get(b), repo.readBlob(b), "blob " + b.shortHex());
            }
        }
    }

    @Test
    void deletesDeadPacksRewritesMostlyDeadOnesAndKeepsEveryLiveBlob() throws Exception {
        Set<BlobId> shared = new HashSet<>();
        List<Set<BlobId>> unique = new ArrayList<>();
        List<SnapshotId> ids = new ArrayList<>();
        try (Repository repo = init()) {
            for (int i = 0; i < 20; i++) {
                shared.add(blob());
            }
            pack(repo, new ArrayList<>(shared));
            for (int s = 0; s < 6; s++) {
                Set<BlobId> own = new HashSet<>();
                for (int i = 0; i < 30; i++) {
                    own.add(blob());
                }
                unique.add(own);
                pack(repo, new ArrayList<>(own));
                Set<BlobId> all = new HashSet<>(shared);
                all.addAll(own);
                if (s == 5) {
                    all.addAll(unique.get(0).stream().limit(5).toList()); // the newest also uses a little of the oldest
                }
                ids.add(snapshot(repo, CLOCK.instant().plus(Duration.ofDays(s)), all));
            }
        }
        long packsBefore;
        try (Stream<Path> s = Files.walk(dir.resolve("repo/data"))) {
            packsBefore = s.filter(Files::isRegularFile).count();
        }
        assertEquals(7, packsBefore);

        Pruner.Outcome outcome = Pruner.run(dir.resolve("repo"), List.of(new Pruner.Scope(null, null,
                RetentionPolicy.NONE.withKeepLast(2))), GcOptions.DEFAULT, OWNER, CLOCK);
        GcResult gc = outcome.gc();
        assertEquals(4, gc.snapshotsRemoved());
        assertEquals(2, gc.snapshotsRemaining());
        // packs of snapshots 1..3 are dead; snapshot 0's pack is 5/30 live: rewritten
        assertEquals(3, gc.packsDeleted() - gc.packsRewritten());
        assertEquals(1, gc.packsRewritten());
        assertEquals(1, gc.packsWritten());
        assertEquals(3 * 30 + 25, gc.blobsRemoved());
        assertEquals(20 + 30 + 30 + 5, gc.liveBlobs());
        assertTrue(gc.bytesFreed() > 100 * 145, "freed " + gc.bytesFreed());
        assertTrue(gc.packBytesAfter() < gc.packBytesBefore());

        Set<BlobId> live = new HashSet<>(shared);
        live.addAll(unique.get(4));
        live.addAll(unique.get(5));
        live.addAll(unique.get(0).stream().limit(5).toList());
        assertIntact(live);
        try (Repository repo = Repository.open(dir.resolve("repo"))) {
            assertEquals(live.size(), repo.index().size(), "dead blobs left the index");
            for (int s = 1; s < 4; s++) {
                for (BlobId b : unique.get(s)) {
                    assertNull(repo.index().lookup(b));
                }
            }
            assertEquals(List.of(ids.get(4), ids.get(5)), repo.snapshots().stream().map(SnapshotRecord::id).toList());
            assertEquals(2, repo.refsFiles().size());
            assertEquals(1, repo.indexFileNames().size());
        }
        try (Stream<Path> s = Files.walk(dir.resolve("repo/data"))) {
            assertEquals(4, s.filter(Files::isRegularFile).count()); // shared, 4, 5, and the rewritten one
        }

        // a second prune has nothing left to do
        GcResult again = Pruner.run(dir.resolve("repo"), List.of(new Pruner.Scope(null, null,
                RetentionPolicy.NONE.withKeepLast(2))), GcOptions.DEFAULT, OWNER, CLOCK).gc();
        assertEquals(0, again.snapshotsRemoved());
        assertEquals(0, again.packsDeleted());
        assertEquals(0, again.blobsRemoved());
        assertIntact(live);
    }

    @Test
    void aDryRunChangesNothingButPredictsTheRealRun() throws Exception {
        try (Repository repo = init()) {
            for (int s = 0; s < 4; s++) {
                Set<BlobId> own = new HashSet<>();
                for (int i = 0; i < 10; i++) {
                    own.add(blob());
                }
                pack(repo, new ArrayList<>(own));
                snapshot(repo, CLOCK.instant().plusSeconds(s), own);
            }
        }
        List<Pruner.Scope> scopes = List.of(new Pruner.Scope("job", null, RetentionPolicy.NONE.withKeepLast(1)));
        List<Path> before = listAll();
        GcResult dry = Pruner.run(dir.resolve("repo"), scopes, GcOptions.DEFAULT.withDryRun(true), OWNER, CLOCK).gc();
        assertEquals(before, listAll());
        assertTrue(dry.dryRun());
        GcResult real = Pruner.run(dir.resolve("repo"), scopes, GcOptions.DEFAULT, OWNER, CLOCK).gc();
        assertEquals(dry.snapshotsRemoved(), real.snapshotsRemoved());
        assertEquals(dry.packsDeleted(), real.packsDeleted());
        assertEquals(dry.blobsRemoved(), real.blobsRemoved());
        assertEquals(dry.packBytesAfter(), real.packBytesAfter());
        assertEquals(3, real.packsDeleted());
    }

    @Test
    void collectsLeftoversOfInterruptedRunsAndDuplicatePacks() throws Exception {
        Set<BlobId> blobs = new HashSet<>();
        try (Repository repo = init()) {
            for (int i = 0; i < 10; i++) {
                blobs.add(blob());
            }
            pack(repo, new ArrayList<>(blobs));
            snapshot(repo, CLOCK.instant(), blobs);
            // an unindexed pack holding copies of the same blobs (an interrupted rewrite) and a stray temp file
            List<BlobId> reversed = new ArrayList<>(blobs);
            java.util.Collections.reverse(reversed); // another order, so another file than the first pack
            try (PackWriter w = repo.newPackWriter()) {
                for (BlobId b : reversed) {
                    w.add(b, BlobKind.DATA, content.get(b), 0, content.get(b).length);
                }
                w.finish();
            }
            Files.write(repo.layout().tmp().resolve("pack-123.tmp"), new byte[1000]);
            // a reference list without a snapshot (an interrupted backup)
            repo.writeRefs(new TreeSet<>(Set.of(blob())).iterator());
        }
        GcResult gc = Pruner.run(dir.resolve("repo"), List.of(new Pruner.Scope(null, null,
                RetentionPolicy.NONE.withKeepLast(5))), GcOptions.DEFAULT, OWNER, CLOCK).gc();
        assertEquals(0, gc.snapshotsRemoved());
        assertEquals(1, gc.packsDeleted());
        assertEquals(1, gc.refsRemoved());
        assertEquals(1, gc.tmpFilesRemoved());
        assertIntact(blobs);
        assertEquals(List.of(), Files.list(dir.resolve("repo/tmp")).toList());
    }

    @Test
    void aRewriteRepeatedAfterAnInterruptedOneKeepsItsPackAlthoughItHasTheLeftoversName() throws Exception {
        List<BlobId> blobs = new ArrayList<>();
        try (Repository repo = init()) {
            for (int i = 0; i < 30; i++) {
                blobs.add(blob());
            }
            pack(repo, blobs);
            snapshot(repo, CLOCK.instant(), new HashSet<>(blobs.subList(0, 5)));
            // what an interrupted prune left: the rewritten pack, written but not yet indexed
            try (PackWriter w = repo.newPackWriter()) {
                for (BlobId b : blobs.subList(0, 5)) {
                    w.add(b, BlobKind.DATA, content.get(b), 0, content.get(b).length);
                }
                w.finish();
            }
        }
        GcResult gc = Pruner.run(dir.resolve("repo"), List.of(new Pruner.Scope(null, null,
                RetentionPolicy.NONE.withKeepLast(1))), GcOptions.DEFAULT, OWNER, CLOCK).gc();
        assertEquals(1, gc.packsRewritten());
        assertIntact(new HashSet<>(blobs.subList(0, 5)));
    }

    @Test
    void refusesToDeletePacksWhenASnapshotReferencesAMissingBlob() throws Exception {
        Set<BlobId> blobs = new HashSet<>();
        try (Repository repo = init()) {
            for (int i = 0; i < 5; i++) {
                blobs.add(blob());
            }
            pack(repo, new ArrayList<>(blobs));
            Set<BlobId> dead = Set.of(blob());
            pack(repo, new ArrayList<>(dead));
            snapshot(repo, CLOCK.instant(), dead);
            Set<BlobId> withMissing = new HashSet<>(blobs);
            withMissing.add(BlobId.of(new byte[32])); // never stored
            snapshot(repo, CLOCK.instant().plusSeconds(1), withMissing);
        }
        List<Path> before = listAll();
        RepositoryException e = assertThrows(RepositoryException.class, () -> Pruner.run(dir.resolve("repo"),
                List.of(new Pruner.Scope(null, null, RetentionPolicy.NONE.withKeepLast(1))), GcOptions.DEFAULT, OWNER,
                CLOCK));
        assertTrue(e.getMessage().contains("no pack was deleted"), e.getMessage());
        List<Path> after = listAll();
        List<Path> packsBefore = before.stream().filter(p -> p.startsWith("data")).toList();
        assertEquals(packsBefore, after.stream().filter(p -> p.startsWith("data")).toList());
        assertTrue(Files.list(dir.resolve("repo/locks")).toList().isEmpty(), "the lock was released");
    }

    @Test
    void pruneNeedsTheExclusiveLockAndABackupsSharedLockWaitsForIt() throws Exception {
        try (Repository repo = init()) {
            Set<BlobId> b = Set.of(blob());
            pack(repo, new ArrayList<>(b));
            snapshot(repo, CLOCK.instant(), b);
            try (RepositoryLock backup = repo.lock(RepositoryLock.Mode.SHARED, OWNER, CLOCK)) {
                assertThrows(RepositoryLockedException.class, () -> Pruner.run(dir.resolve("repo"),
                        List.of(new Pruner.Scope(null, null, RetentionPolicy.NONE.withKeepLast(1))), GcOptions.DEFAULT,
                        OWNER, CLOCK));
                // a dry run only reads, and may run beside a backup
                Pruner.run(dir.resolve("repo"), List.of(new Pruner.Scope(null, null,
                        RetentionPolicy.NONE.withKeepLast(1))), GcOptions.DEFAULT.withDryRun(true), OWNER, CLOCK);
            }
        }
    }

    @Test
    void theSetOfSnapshotsOnDiskIsWhatThePlannerPredictsForSimulatedHourlyBackups() throws Exception {
        // 20 days of hourly snapshots (receipt times from a simulated clock), each with one new blob
        List<SnapshotRecord> records = new ArrayList<>();
        Map<SnapshotId, BlobId> own = new HashMap<>();
        try (Repository repo = init()) {
            Instant t = Instant.parse("2025-01-01T00:10:00Z");
            BlobId base = blob();
            pack(repo, List.of(base));
            List<BlobId> batch = new ArrayList<>();
            for (int h = 0; h < 20 * 24; h++) {
                BlobId b = blob();
                batch.add(b);
                if (batch.size() == 24) {
                    pack(repo, batch);
                    batch = new ArrayList<>();
                }
                own.put(null, b);
                Set<BlobId> refs = Set.of(base, b);
                BlobId refsId = repo.writeRefs(new TreeSet<>(refs).iterator());
                SnapshotRecord r = SnapshotRecord.create("job", "host", t.plus(Duration.ofHours(h)), null, h, 0, 0, 0,
                        0, refsId, new byte[0]);
                repo.writeSnapshot(r);
                records.add(r);
                own.put(r.id(), b);
            }
        }
        RetentionPolicy policy = new RetentionPolicy(2, 12, 5, 2, 0, 0, Duration.ZERO);
        Set<SnapshotId> predicted = new HashSet<>();
        for (RetentionDecision d : RetentionPlanner.plan(records, policy)) {
            if (d.keep()) {
                predicted.add(d.id());
            }
        }
        Pruner.run(dir.resolve("repo"), List.of(new Pruner.Scope("job", "host", policy)), GcOptions.DEFAULT, OWNER,
                CLOCK);
        Set<BlobId> live = new HashSet<>();
        try (Repository repo = Repository.open(dir.resolve("repo"))) {
            Set<SnapshotId> onDisk = new HashSet<>();
            repo.snapshots().forEach(s -> onDisk.add(s.id()));
            assertEquals(predicted, onDisk);
            for (SnapshotId id : onDisk) {
                live.add(own.get(id));
            }
            assertEquals(live.size() + 1, repo.index().size());
        }
        assertIntact(live);
    }

    private List<Path> listAll() throws IOException {
        Path root = dir.resolve("repo");
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).filter(p -> !p.startsWith("locks")).sorted()
                    .toList();
        }
    }
}
