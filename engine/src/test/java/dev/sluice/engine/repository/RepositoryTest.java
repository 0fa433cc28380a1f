package dev.sluice.engine.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryTest {
    @TempDir
    Path dir;

    @Test
    void initCreatesTheLayoutAndRefusesANonEmptyDirectory() throws IOException {
        Path root = dir.resolve("repo");
        RepositorySettings settings = RepositorySettings.createDefault(RepositoryFixture.CLOCK, new SecureRandom());
        Repository.init(root, settings).close();
        for (String name : List.of("config", "keys", "data", "index", "refs", "snapshots", "locks", "tmp")) {
            assertTrue(Files.exists(root.resolve(name)), name);
        }
        try (Repository repo = Repository.open(root)) {
            assertEquals(settings, repo.settings());
        }
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("file"), "x");
        RepositoryException e = assertThrows(RepositoryException.class, () -> Repository.init(other, settings));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void openGivesClearErrors() throws IOException {
        RepositoryException missing = assertThrows(RepositoryException.class,
                () -> Repository.open(dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        Path plain = dir.resolve("plain");
        Files.createDirectories(plain);
        RepositoryException notRepo = assertThrows(RepositoryException.class, () -> Repository.open(plain));
        assertTrue(notRepo.getMessage().contains("not a sluice repository"), notRepo.getMessage());

        Path root = dir.resolve("repo");
        RepositoryFixture.init(root).close();
        Path config = root.resolve("config");
        String text = Files.readString(config);

        Files.writeString(config, text.replace("version = 1", "version = 2"));
        RepositoryException version = assertThrows(RepositoryException.class, () -> Repository.open(root));
        assertTrue(version.getMessage().contains("version 2") && version.getMessage().contains("only version 1"),
                version.getMessage());

        Files.writeString(config, text.substring(0, text.length() / 2));
        RepositoryException truncated = assertThrows(RepositoryException.class, () -> Repository.open(root));
        assertTrue(truncated.getMessage().contains("damaged"), truncated.getMessage());

        Files.writeString(config, text.replace("pack.target-size = 16777216", "pack.target-size = 16777217"));
        RepositoryException edited = assertThrows(RepositoryException.class, () -> Repository.open(root));
        assertTrue(edited.getMessage().contains("checksum"), edited.getMessage());

        Files.writeString(config, "");
        assertThrows(RepositoryException.class, () -> Repository.open(root));

        Files.writeString(config, text);
        Repository.open(root).close();
    }

    @Test
    void committedPacksAreReadAfterReopen() throws IOException {
        Path root = dir.resolve("repo");
        Random random = new Random(10);
        List<byte[]> contents = new ArrayList<>();
        List<PackInfo> packs = new ArrayList<>();
        try (Repository repo = RepositoryFixture.init(root)) {
            for (int p = 0; p < 40; p++) {
                packs.add(RepositoryFixture.writePack(repo, random, 25, 2000, contents));
            }
            repo.commitIndex(packs.subList(0, 20));
            repo.commitIndex(packs.subList(20, 40));
            assertEquals(1000, repo.index().size());
        }
        try (Repository repo = Repository.open(root)) {
            assertEquals(List.of(), repo.openProblems());
            assertEquals(List.of(), repo.unindexedPacks());
            assertEquals(1000, repo.index().size());
            // more packs than the channel cache holds, read twice in an order that evicts
            for (int round = 0; round < 2; round++) {
                int i = 0;
                for (PackInfo pack : packs) {
                    for (IndexEntry e : pack.entries()) {
                        assertArrayEquals(contents.get(i++), repo.readBlob(e.id()));
                    }
                }
            }
            BlobId absent = RepositoryFixture.randomId(random);
            RepositoryException e = assertThrows(RepositoryException.class, () -> repo.readBlob(absent));
            assertTrue(e.getMessage().contains(absent.hex()), e.getMessage());
        }
    }

    @Test
    void packOfAKilledRunIsFoundOnOpenAndCanBeIndexed() throws IOException {
        Path root = dir.resolve("repo");
        Random random = new Random(11);
        List<byte[]> contents = new ArrayList<>();
        PackInfo orphan;
        try (Repository repo = RepositoryFixture.init(root)) {
            repo.commitIndex(List.of(RepositoryFixture.writePack(repo, random, 10, 100)));
            orphan = RepositoryFixture.writePack(repo, random, 30, 1000, contents);
            // the process dies here: no commitIndex
        }
        try (Repository repo = Repository.open(root)) {
            assertEquals(List.of(orphan), repo.unindexedPacks());
            assertEquals(40, repo.index().size());
            for (int i = 0; i < orphan.entries().size(); i++) {
                assertArrayEquals(contents.get(i), repo.readBlob(orphan.entries().get(i).id()));
            }
            repo.commitIndex(repo.unindexedPacks());
        }
        try (Repository repo = Repository.open(root)) {
            assertEquals(List.of(), repo.unindexedPacks());
            assertEquals(40, repo.index().size());
        }
    }

    @Test
    void unreadableUnindexedPackAndDamagedIndexAreReportedNotFatal() throws IOException {
        Path root = dir.resolve("repo");
        Random random = new Random(12);
        PackInfo indexed;
        PackInfo broken;
        try (Repository repo = RepositoryFixture.init(root)) {
            indexed = RepositoryFixture.writePack(repo, random, 10, 100);
            repo.commitIndex(List.of(indexed));
            broken = RepositoryFixture.writePack(repo, random, 10, 100);
        }
        Path brokenFile = root.resolve("data").resolve(broken.id().hex().substring(0, 2)).resolve(broken.id().hex());
        RepositoryFixture.truncate(brokenFile, Files.size(brokenFile) - 3);
        Path indexFile;
        try (Stream<Path> s = Files.list(root.resolve("index"))) {
            indexFile = s.findFirst().orElseThrow();
        }
        RepositoryFixture.truncate(indexFile, Files.size(indexFile) - 10);
        try (Repository repo = Repository.open(root)) {
            String problems = String.join("\n", repo.openProblems());
            assertEquals(2, repo.openProblems().size(), problems);
            assertTrue(problems.contains(broken.id().hex()), problems);
            assertTrue(problems.contains(indexFile.getFileName().toString()), problems);
            // the damaged index's pack is still found through its trailer
            assertEquals(List.of(indexed), repo.unindexedPacks());
            assertNotNull(repo.index().lookup(indexed.entries().get(3).id()));
        }
    }

    @Test
    void leftoverTemporaryFilesAreIgnored() throws IOException {
        Path root = dir.resolve("repo");
        try (Repository repo = RepositoryFixture.init(root)) {
            repo.commitIndex(List.of(RepositoryFixture.writePack(repo, new Random(13), 5, 100)));
            PackWriter abandoned = repo.newPackWriter();
            abandoned.add(RepositoryFixture.randomId(new Random(14)), BlobKind.DATA, new byte[10], 0, 10);
            // never finished or aborted, as if the process died
        }
        Files.write(root.resolve("tmp").resolve("index-123.tmp"), new byte[] {1, 2, 3});
        try (Repository repo = Repository.open(root)) {
            assertEquals(List.of(), repo.openProblems());
            assertEquals(5, repo.index().size());
            StructureReport report = StructureCheck.run(repo);
            assertTrue(report.ok(), report.problems().toString());
            assertEquals(2, report.notes().stream().filter(n -> n.contains("tmp/")).count(), report.notes().toString());
        }
    }

    /** A reference list written id by id (as a sink receives it) is the same file; one never committed leaves none. */
    @Test
    void aRefsWriterWritesAsIdsArriveAndDropsAnUncommittedList() throws IOException {
        Random random = new Random(16);
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            List<BlobId> ids = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                ids.add(RepositoryFixture.randomId(random));
            }
            ids.sort(null);
            BlobId stored;
            try (RefsWriter w = repo.refsWriter()) {
                for (BlobId id : ids) {
                    w.add(id);
                }
                try (var tmp = Files.list(repo.layout().tmp())) {
                    long written = tmp.filter(f -> f.getFileName().toString().startsWith("refs-"))
                            .mapToLong(f -> f.toFile().length()).sum();
                    assertTrue(written >= 16L * 1024 * 32, "ids go to the temporary file as they arrive: " + written);
                }
                stored = w.commit();
                assertEquals(ids.size(), w.count());
            }
            assertEquals(RefsDigest.of(ids.iterator()), stored, "the same bytes as the list written whole");
            try (RefsIterator it = repo.readRefs(stored)) {
                List<BlobId> back = new ArrayList<>();
                it.forEachRemaining(back::add);
                assertEquals(ids, back);
            }

            try (RefsWriter w = repo.refsWriter()) {
                w.add(ids.get(1));
                assertThrows(IllegalArgumentException.class, () -> w.add(ids.get(0)));
            }
            try (var tmp = Files.list(repo.layout().tmp())) {
                assertEquals(0, tmp.filter(f -> f.getFileName().toString().startsWith("refs-")).count(),
                        "a list closed without commit leaves no temporary file");
            }
        }
    }

    @Test
    void referenceListsRoundTripAndRejectBadInput() throws IOException {
        Random random = new Random(15);
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            List<BlobId> ids = new ArrayList<>();
            for (int i = 0; i < 100_000; i++) {
                ids.add(RepositoryFixture.randomId(random));
            }
            ids.sort(null);
            BlobId refs = repo.writeRefs(ids.iterator());
            Path file = repo.layout().refsFile(refs);
            assertEquals(refs.hex(), Hex.encode(Sha256.of(Files.readAllBytes(file))));
            List<BlobId> back = new ArrayList<>();
            try (RefsIterator it = repo.readRefs(refs)) {
                assertEquals(ids.size(), it.count());
                it.forEachRemaining(back::add);
            }
            assertEquals(ids, back);

            List<BlobId> unsorted = List.of(ids.get(2), ids.get(1));
            assertThrows(IllegalArgumentException.class, () -> repo.writeRefs(unsorted.iterator()));
            List<BlobId> duplicate = List.of(ids.get(1), ids.get(1));
            assertThrows(IllegalArgumentException.class, () -> repo.writeRefs(duplicate.iterator()));

            BlobId empty = repo.writeRefs(List.<BlobId>of().iterator());
            try (RefsIterator it = repo.readRefs(empty)) {
                assertTrue(!it.hasNext());
            }

            byte[] original = Files.readAllBytes(file);
            RepositoryFixture.truncate(file, original.length - 32);
            RepositoryException cut = assertThrows(RepositoryException.class, () -> repo.readRefs(refs));
            assertTrue(cut.getMessage().contains(refs.hex()) && cut.getMessage().contains("damaged"), cut.getMessage());
            Files.write(file, original);
            RepositoryFixture.flipByte(file, 1000);
            RepositoryException flipped = assertThrows(RepositoryException.class, () -> repo.readRefs(refs));
            assertTrue(flipped.getMessage().contains(refs.hex()), flipped.getMessage());

            BlobId absent = RepositoryFixture.randomId(random);
            RepositoryException none = assertThrows(RepositoryException.class, () -> repo.readRefs(absent));
            assertTrue(none.getMessage().contains("does not exist"), none.getMessage());
        }
    }

    @Test
    void snapshotsAreListedAndFoundByUniquePrefix() throws IOException {
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            BlobId refs = repo.writeRefs(List.<BlobId>of().iterator());
            List<SnapshotId> ids = new ArrayList<>();
            SnapshotId parent = null;
            for (int i = 0; i < 17; i++) {
                SnapshotRecord record = SnapshotRecord.create("job-" + (i % 2), "host-a",
                        RepositoryFixture.CLOCK.instant().plusSeconds(i), parent, i, 1, 100L * i, 10, 1, refs,
                        ("sealed-" + i).getBytes(StandardCharsets.UTF_8));
                SnapshotId id = repo.writeSnapshot(record);
                assertEquals(record.id(), id);
                ids.add(id);
                parent = id;
            }
            SnapshotListing listing = repo.listSnapshots();
            assertEquals(List.of(), listing.problems());
            assertEquals(ids, listing.snapshots().stream().map(SnapshotRecord::id).toList(), "oldest first");

            SnapshotId third = ids.get(3);
            assertEquals(third, repo.snapshot(third.hex()).id());
            assertEquals(third, repo.snapshot(third.hex().toUpperCase()).id());
            String unique = uniquePrefix(third, ids);
            assertEquals(third, repo.snapshot(unique).id());

            // 17 ids over 16 first digits: at least two share one
            String shared = sharedFirstDigit(ids);
            RepositoryException ambiguous = assertThrows(RepositoryException.class, () -> repo.snapshot(shared));
            assertTrue(ambiguous.getMessage().contains("ambiguous"), ambiguous.getMessage());

            String absent = absentPrefix(ids);
            RepositoryException missing = assertThrows(RepositoryException.class, () -> repo.snapshot(absent));
            assertTrue(missing.getMessage().contains("no snapshot"), missing.getMessage());
            assertThrows(RepositoryException.class, () -> repo.snapshot("xyz"));
        }
    }

    @Test
    void aDamagedSnapshotFileIsAProblemNotACrash() throws IOException {
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            BlobId refs = repo.writeRefs(List.<BlobId>of().iterator());
            SnapshotId good = repo.writeSnapshot(SnapshotRecord.create("job", "host", RepositoryFixture.CLOCK.instant(),
                    null, 1, 1, 1, 1, 1, refs, new byte[40]));
            SnapshotId bad = repo.writeSnapshot(SnapshotRecord.create("job", "host",
                    RepositoryFixture.CLOCK.instant().plusSeconds(1), good, 1, 1, 1, 1, 1, refs, new byte[40]));
            Path badFile = repo.layout().snapshotFile(bad);
            RepositoryFixture.truncate(badFile, Files.size(badFile) - 20);
            SnapshotListing listing = repo.listSnapshots();
            assertEquals(List.of(good), listing.snapshots().stream().map(SnapshotRecord::id).toList());
            assertEquals(1, listing.problems().size());
            assertTrue(listing.problems().get(0).contains(bad.hex()), listing.problems().get(0));
            RepositoryException e = assertThrows(RepositoryException.class, () -> repo.snapshot(bad.hex()));
            assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        }
    }

    @Test
    void snapshotNeedsItsReferenceListFirst() throws IOException {
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            BlobId refs = RepositoryFixture.randomId(new Random(16));
            SnapshotRecord record = SnapshotRecord.create("job", "host", RepositoryFixture.CLOCK.instant(), null,
                    0, 0, 0, 0, 0, refs, new byte[0]);
            RepositoryException e = assertThrows(RepositoryException.class, () -> repo.writeSnapshot(record));
            assertTrue(e.getMessage().contains(refs.hex()), e.getMessage());
        }
    }

    @Test
    void keyMaterialIsStoredOpaquelyAndNeverReplaced() throws IOException {
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            assertEquals(Optional.empty(), repo.readKeyMaterial("main"));
            byte[] material = {9, 8, 7};
            repo.writeKeyMaterial("main", material);
            assertArrayEquals(material, repo.readKeyMaterial("main").orElseThrow());
            assertEquals(List.of("main"), repo.keyMaterialNames());
            assertThrows(RepositoryException.class, () -> repo.writeKeyMaterial("main", new byte[1]));
            assertThrows(IllegalArgumentException.class, () -> repo.writeKeyMaterial("../escape", new byte[1]));
        }
    }

    private static String uniquePrefix(SnapshotId id, List<SnapshotId> all) {
        for (int n = 1; n <= 64; n++) {
            String p = id.hex().substring(0, n);
            if (all.stream().filter(o -> o.hex().startsWith(p)).count() == 1) {
                return p;
            }
        }
        throw new AssertionError("no unique prefix");
    }

    private static String sharedFirstDigit(List<SnapshotId> ids) {
        for (SnapshotId id : ids) {
            String p = id.hex().substring(0, 1);
            if (ids.stream().filter(o -> o.hex().startsWith(p)).count() > 1) {
                return p;
            }
        }
        throw new AssertionError("pigeonhole failed");
    }

    private static String absentPrefix(List<SnapshotId> ids) {
        for (int i = 0; i < 256; i++) {
            String p = String.format("%02x", i);
            if (ids.stream().noneMatch(o -> o.hex().startsWith(p))) {
                return p;
            }
        }
        throw new AssertionError("every two-digit prefix used");
    }
}
