package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.backup.BackupResult;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.SnapshotPayload;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.tree.TreeCache;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** The source's tree cache: a push reads its parent's tree blobs locally, and never trusts a cached file. */
class TreeCacheTest {
    @TempDir
    Path dir;
    PushHarness h;
    Path cacheDir;

    @BeforeEach
    void setUp() throws IOException {
        h = new PushHarness(dir);
        cacheDir = dir.resolve("source/cache/a/b/trees");
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private BackupResult push(RecordingLink[] wire, TreeCache cache) throws IOException {
        LocalLinks.Pair p = LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity("web-1"));
        wire[0] = new RecordingLink(p.first());
        Mono<CloseReason> served = h.serve(p.second());
        BackupResult r = h.push(wire[0], "home", cache);
        served.block(PushHarness.WAIT);
        return r;
    }

    private Set<String> cached() throws IOException {
        try (Stream<Path> s = Files.list(cacheDir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private Set<String> treeBlobsOfNewest() throws IOException {
        SnapshotRecord s = h.snapshots().stream().max(Comparator.comparing(SnapshotRecord::time)).orElseThrow();
        try (BlobCodec codec = h.codec()) {
            return SnapshotPayload.decode(codec.openPayload(s.refs(), s.sealedPayload())).treeBlobs().stream()
                    .map(BlobId::hex).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void aSecondPushReadsTheParentsTreeFromTheCacheAndKeepsOnlyTheNewTree() throws IOException {
        RecordingLink[] wire = new RecordingLink[1];
        assertFalse(Files.exists(cacheDir), "the cache directory does not exist yet");
        push(wire, TreeCache.at(cacheDir));
        assertEquals(treeBlobsOfNewest(), cached(), "the first push cached its tree blobs");

        Files.writeString(h.src.resolve("a.txt"), "changed\n");
        Files.writeString(h.src.resolve("new.txt"), "new file\n");
        BackupResult r = push(wire, TreeCache.at(cacheDir));
        assertEquals(0, wire[0].getBlobs.get(), "no parent tree blob was fetched from the sink");
        assertTrue(r.stats().treeCacheHits() > 0);
        assertTrue(r.stats().filesUnchanged() >= 3, "unchanged files were found through the cached parent");
        assertEquals(treeBlobsOfNewest(), cached(), "only the new snapshot's tree blobs stay");
        h.restoreAndCompare(dir.resolve("restore"));

        // the same without a cache fetches them
        Files.writeString(h.src.resolve("a.txt"), "changed again\n");
        BackupResult uncached = push(wire, TreeCache.none());
        assertTrue(wire[0].getBlobs.get() > 0, "without a cache the parent's tree blobs come from the sink");
        assertTrue(uncached.stats().filesUnchanged() >= 3);
    }

    @Test
    void aCorruptedCacheFileIsDetectedAndFetchedAgain() throws IOException {
        RecordingLink[] wire = new RecordingLink[1];
        push(wire, TreeCache.at(cacheDir));
        Set<String> parentTrees = cached();
        assertFalse(parentTrees.isEmpty());
        for (String name : parentTrees) {
            Path f = cacheDir.resolve(name);
            byte[] b = Files.readAllBytes(f);
            b[b.length / 2] ^= 1;
            Files.write(f, b);
        }
        Files.writeString(h.src.resolve("a.txt"), "changed\n");
        BackupResult r = push(wire, TreeCache.at(cacheDir));
        assertEquals(parentTrees.size(), wire[0].getBlobs.get(), "every tampered blob was fetched again");
        assertEquals(parentTrees.size(), r.stats().treeCacheRejected());
        assertNotNull(r.stats().treeCacheProblem());
        assertTrue(r.stats().treeCacheProblem().contains("rejected"), r.stats().treeCacheProblem());
        // the second read of the parent (to compute the reference list delta) finds the re-fetched copies
        assertEquals(parentTrees.size(), r.stats().treeCacheHits());
        assertTrue(r.stats().refsDelta());
        assertTrue(r.stats().filesUnchanged() >= 3, "the parent was still used");
        h.restoreAndCompare(dir.resolve("restore"));

        // the re-fetched blobs replaced the bad files: the next push finds every parent tree blob in the cache
        Files.writeString(h.src.resolve("a.txt"), "changed twice\n");
        BackupResult next = push(wire, TreeCache.at(cacheDir));
        assertEquals(0, wire[0].getBlobs.get());
        assertEquals(0, next.stats().treeCacheRejected());
    }

    @Test
    void aBlobCachedUnderAnotherIdIsRejected() throws IOException {
        RecordingLink[] wire = new RecordingLink[1];
        Files.write(h.src.resolve("more.bin"), PushHarness.random(new java.util.Random(3), 300 * 1024));
        push(wire, TreeCache.at(cacheDir));
        List<String> names = List.copyOf(cached());
        // swap two valid sealed blobs' names: each authenticates, but not under the id its name claims
        if (names.size() >= 2) {
            Path a = cacheDir.resolve(names.get(0));
            Path b = cacheDir.resolve(names.get(1));
            byte[] ab = Files.readAllBytes(a);
            Files.write(a, Files.readAllBytes(b));
            Files.write(b, ab);
        } else {
            Files.write(cacheDir.resolve(names.get(0)), new byte[] {1, 2, 3});
        }
        BackupResult r = push(wire, TreeCache.at(cacheDir));
        assertEquals(Math.min(2, names.size()), r.stats().treeCacheRejected());
        assertEquals(r.stats().treeCacheRejected(), wire[0].getBlobs.get());
    }

    @Test
    void aMissingOrUnusableCacheDirectoryOnlyCostsFetches() throws IOException {
        RecordingLink[] wire = new RecordingLink[1];
        push(wire, TreeCache.none());
        // a cache directory that does not exist: created by the push
        BackupResult r = push(wire, TreeCache.at(cacheDir));
        assertTrue(wire[0].getBlobs.get() > 0);
        assertEquals(treeBlobsOfNewest(), cached());
        assertEquals(Optional.empty(), Optional.ofNullable(r.stats().treeCacheProblem()));

        // a cache "directory" that is a file: nothing can be cached, the push still succeeds and says why
        Path blocked = dir.resolve("source/blocked");
        Files.writeString(blocked, "not a directory");
        Files.writeString(h.src.resolve("a.txt"), "changed\n");
        BackupResult r2 = push(wire, TreeCache.at(blocked.resolve("trees")));
        assertNotNull(r2.stats().treeCacheProblem());
        assertTrue(r2.stats().filesUnchanged() >= 3);
        h.restoreAndCompare(dir.resolve("restore"));
    }

    @Test
    void cacheDirectoriesAreKeptApartByRepositoryAndJob() {
        Path root = dir.resolve("cache");
        Path home = TreeCache.forJob(root, "ab".repeat(32), "home").dir().orElseThrow();
        Path db = TreeCache.forJob(root, "ab".repeat(32), "db").dir().orElseThrow();
        Path otherRepo = TreeCache.forJob(root, "cd".repeat(32), "home").dir().orElseThrow();
        assertEquals(root.resolve("ab".repeat(32)).toAbsolutePath(), home.getParent().getParent());
        assertEquals("trees", home.getFileName().toString());
        assertFalse(home.equals(db));
        assertFalse(home.equals(otherRepo));
        assertEquals(Optional.of(Path.of("/x/sluice")), TreeCache.defaultRoot(Map.of("XDG_CACHE_HOME", "/x",
                "HOME", "/h")));
        assertEquals(Optional.of(Path.of("/h/.cache/sluice")), TreeCache.defaultRoot(Map.of("HOME", "/h")));
        assertEquals(Optional.empty(), TreeCache.defaultRoot(Map.of("XDG_CACHE_HOME", "relative")));
    }
}
