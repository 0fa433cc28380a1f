package dev.sluice.engine.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StructureCheckTest {
    @TempDir
    Path dir;

    /** Three indexed packs and one snapshot referencing every blob. */
    private List<PackInfo> populate(Repository repo) throws IOException {
        Random random = new Random(20);
        List<PackInfo> packs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            packs.add(RepositoryFixture.writePack(repo, random, 20, 400));
        }
        repo.commitIndex(packs);
        TreeSet<BlobId> all = new TreeSet<>();
        packs.forEach(p -> p.entries().forEach(e -> all.add(e.id())));
        BlobId refs = repo.writeRefs(all.iterator());
        repo.writeSnapshot(SnapshotRecord.create("job", "host", RepositoryFixture.CLOCK.instant(), null, 60, 1, 9000,
                9000, 60, refs, new byte[32]));
        return packs;
    }

    @Test
    void aHealthyRepositoryPasses() throws IOException {
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            populate(repo);
            StructureReport report = StructureCheck.run(repo);
            assertTrue(report.ok(), report.problems().toString());
            assertTrue(report.damagedPacks().isEmpty());
        }
    }

    @Test
    void aFlippedByteInAPackNamesThePackItsBlobsAndTheSnapshot() throws IOException {
        Path root = dir.resolve("repo");
        PackInfo victim;
        SnapshotId snapshot;
        try (Repository repo = RepositoryFixture.init(root)) {
            victim = populate(repo).get(1);
            snapshot = repo.snapshots().get(0).id();
        }
        RepositoryFixture.flipByte(root.resolve("data").resolve(victim.id().hex().substring(0, 2))
                .resolve(victim.id().hex()), victim.entries().get(5).offset() + 1);
        try (Repository repo = Repository.open(root)) {
            StructureReport report = StructureCheck.run(repo);
            assertFalse(report.ok());
            String problems = String.join("\n", report.problems());
            assertTrue(problems.contains("pack " + victim.id().hex() + " is damaged"), problems);
            assertTrue(problems.contains("snapshot " + snapshot.hex() + " uses 20 blobs in damaged pack "
                    + victim.id().hex()), problems);
            assertEquals(List.of(victim.id()), List.copyOf(report.damagedPacks().keySet()));
            assertEquals(victim.entries().stream().map(IndexEntry::id).toList(),
                    report.damagedPacks().get(victim.id()));
        }
    }

    @Test
    void missingPackMissingBlobsAndDamagedRefsAreReported() throws IOException {
        Path root = dir.resolve("repo");
        List<PackInfo> packs;
        BlobId refs;
        try (Repository repo = RepositoryFixture.init(root)) {
            packs = populate(repo);
            refs = repo.snapshots().get(0).refs();
        }
        PackInfo gone = packs.get(0);
        Files.delete(root.resolve("data").resolve(gone.id().hex().substring(0, 2)).resolve(gone.id().hex()));
        try (Repository repo = Repository.open(root)) {
            StructureReport report = StructureCheck.run(repo);
            String problems = String.join("\n", report.problems());
            assertTrue(problems.contains("lists pack " + gone.id().hex() + ", which does not exist"), problems);
            assertTrue(problems.contains("references blob " + gone.entries().get(0).id().hex()), problems);
        }
        Path refsFile = root.resolve("refs").resolve(refs.hex());
        RepositoryFixture.truncate(refsFile, Files.size(refsFile) - 1);
        try (Repository repo = Repository.open(root)) {
            String problems = String.join("\n", StructureCheck.run(repo).problems());
            assertTrue(problems.contains("reference list " + refs.hex()), problems);
        }
    }

    @Test
    void anIndexEntryThatDisagreesWithThePackTrailerIsReported() throws IOException {
        Path root = dir.resolve("repo");
        try (Repository repo = RepositoryFixture.init(root)) {
            PackInfo real = RepositoryFixture.writePack(repo, new Random(21), 5, 100);
            IndexEntry first = real.entries().get(0);
            List<IndexEntry> wrong = new ArrayList<>(real.entries());
            wrong.set(0, new IndexEntry(first.id(), first.kind(), real.id(), first.offset() + 1, first.length()));
            repo.commitIndex(List.of(new PackInfo(real.id(), real.size(), wrong)));
            String problems = String.join("\n", StructureCheck.run(repo).problems());
            assertTrue(problems.contains("places blob " + first.id().hex()), problems);
        }
    }
}
