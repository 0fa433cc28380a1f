package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.backup.BackupResult;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.SnapshotPayload;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.RefsIterator;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.repository.StructureCheck;
import dev.sluice.engine.repository.StructureReport;
import dev.sluice.engine.tree.ChunkRef;
import dev.sluice.engine.tree.TreeCache;
import dev.sluice.engine.tree.TreeReader;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** A push after a small change sends its reference list as a difference (PUT_REFS_DELTA), and what a sink refuses. */
class RefsDeltaTest {
    @TempDir
    Path dir;
    PushHarness h;
    TreeCache cache;

    @BeforeEach
    void setUp() throws IOException {
        h = new PushHarness(dir);
        cache = TreeCache.at(dir.resolve("source/cache/trees"));
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private static LocalLinks.Pair pair(String identity) {
        return LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity(identity));
    }

    private BackupResult push(RecordingLink source, LocalLinks.Pair p, String job, TreeCache treeCache)
            throws IOException {
        Mono<CloseReason> served = h.serve(p.second());
        BackupResult r = h.push(source, job, treeCache);
        served.block(PushHarness.WAIT);
        return r;
    }

    private void changeBigFile(int seed) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(h.src.resolve("big.bin").toFile(), "rw")) {
            f.seek(200_000);
            f.write(PushHarness.random(new Random(seed), 100));
        }
    }

    private SnapshotRecord newest() throws IOException {
        return h.snapshots().stream().max(Comparator.comparing(SnapshotRecord::time)).orElseThrow();
    }

    /** The reference list a snapshot should have, rebuilt from its tree with the key: chunks of every entry + trees. */
    private List<BlobId> listFromTree(Repository repo, SnapshotRecord s) throws IOException {
        try (BlobCodec codec = h.codec()) {
            SnapshotPayload payload = SnapshotPayload.decode(codec.openPayload(s.refs(), s.sealedPayload()));
            TreeSet<BlobId> ids = new TreeSet<>(payload.treeBlobs());
            TreeReader entries = new TreeReader(payload.treeBlobs(),
                    id -> codec.open(id, BlobKind.TREE, repo.readBlob(id), 1 << 26));
            while (entries.hasNext()) {
                for (ChunkRef c : entries.next().chunks()) {
                    ids.add(c.id());
                }
            }
            return new ArrayList<>(ids);
        }
    }

    private static List<BlobId> stored(Repository repo, SnapshotRecord s) throws IOException {
        List<BlobId> out = new ArrayList<>();
        try (RefsIterator it = repo.readRefs(s.refs())) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void aPushAfterASmallChangeSendsTheReferenceListAsADelta() throws IOException {
        LocalLinks.Pair first = pair("web-1");
        RecordingLink wire1 = new RecordingLink(first.first());
        BackupResult r1 = push(wire1, first, "home", cache);
        assertFalse(r1.stats().refsDelta(), "a first push has no parent to differ from");
        assertEquals(1, wire1.refsParts.get());
        assertEquals(0, wire1.refsDeltaParts.get());

        changeBigFile(7);
        LocalLinks.Pair second = pair("web-1");
        RecordingLink wire2 = new RecordingLink(second.first());
        BackupResult r2 = push(wire2, second, "home", cache);

        assertNotNull(r2.parent());
        assertTrue(r2.stats().refsDelta(), "the second push sent a delta");
        assertEquals(0, wire2.refsParts.get(), "no whole reference list was sent");
        assertEquals(1, wire2.refsDeltaParts.get());
        try (Repository repo = Repository.open(h.repoRoot)) {
            SnapshotRecord s = newest();
            List<BlobId> list = stored(repo, s);
            assertEquals(listFromTree(repo, s), list, "the merged list is exactly the snapshot's references");
            // the delta carries the change (a few chunks and tree blobs), the whole list far more ids
            long wholeList = 9L + 32L * list.size();
            System.out.printf("reference list: %d ids (%d bytes whole), delta sent %d bytes%n", list.size(),
                    wholeList, wire2.refsBytes.get());
            assertTrue(wire2.refsBytes.get() < wholeList, "delta " + wire2.refsBytes + " vs whole " + wholeList);
            StructureReport report = StructureCheck.run(repo);
            assertTrue(report.ok(), "structure check: " + report.problems());
        }
        h.restoreAndCompare(dir.resolve("restore"));

        // a third push without a change: an empty delta, the same list
        LocalLinks.Pair third = pair("web-1");
        RecordingLink wire3 = new RecordingLink(third.first());
        BackupResult r3 = push(wire3, third, "home", cache);
        assertTrue(r3.stats().refsDelta());
        assertEquals(1, wire3.refsDeltaParts.get());
        // the previous pushes read files and listed directories, which moved their atimes; unchanged entries keep
        // the parent's atime, so the tree, and with it the reference list, is the same
        assertEquals(0, wire3.treePutBytes.get(), "no tree blob was stored for an unchanged tree");
        SnapshotRecord secondSnapshot = h.snapshots().stream().filter(s -> s.id().equals(r2.snapshot())).findFirst()
                .orElseThrow();
        assertEquals(secondSnapshot.refs(), newest().refs(), "an unchanged tree gives the same reference list");
        try (Repository repo = Repository.open(h.repoRoot)) {
            SnapshotRecord s = newest();
            assertEquals(listFromTree(repo, s), stored(repo, s));
        }
    }

    @Test
    void withoutATreeCacheTheWholeListIsSent() throws IOException {
        LocalLinks.Pair first = pair("web-1");
        push(new RecordingLink(first.first()), first, "home", TreeCache.none());
        changeBigFile(8);
        LocalLinks.Pair second = pair("web-1");
        RecordingLink wire = new RecordingLink(second.first());
        BackupResult r = push(wire, second, "home", TreeCache.none());
        assertFalse(r.stats().refsDelta());
        assertEquals(1, wire.refsParts.get());
        assertEquals(0, wire.refsDeltaParts.get());
    }

    // ---- hostile deltas: each is refused, ends the session, and writes nothing

    private interface Hostile {
        void send(RemoteBlobSink remote, SnapshotRecord parent, List<BlobId> parentList) throws IOException;
    }

    private void refused(ErrorCode code, String words, Hostile hostile) throws IOException {
        LocalLinks.Pair first = pair("web-1");
        push(new RecordingLink(first.first()), first, "home", cache);
        SnapshotRecord parent = newest();
        List<BlobId> parentList;
        try (Repository repo = Repository.open(h.repoRoot)) {
            parentList = stored(repo, parent);
        }
        Map<String, Long> before = h.repositoryFiles();
        LocalLinks.Pair p = pair("web-1");
        Mono<CloseReason> served = h.serve(p.second());
        RemoteBlobSink remote = RemoteBlobSink.open(p.first(), "home");
        ProtocolException e = assertThrows(ProtocolException.class, () -> hostile.send(remote, parent, parentList));
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
        remote.close();
        served.block(PushHarness.WAIT);
        assertEquals(before, h.repositoryFiles(), "nothing was written");
    }

    private static BlobId unknownId(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) 0xff;
        b[31] = (byte) n;
        return BlobId.of(b);
    }

    @Test
    void anUnsortedDeltaIsRefused() throws IOException {
        refused(ErrorCode.MALFORMED, "not strictly ascending", (remote, parent, list) ->
                remote.putRefsDelta(parent.id(), List.of(), List.of(list.get(1), list.get(0))));
    }

    @Test
    void removingAnIdNotInTheParentIsRefused() throws IOException {
        refused(ErrorCode.REFUSED, "does not have", (remote, parent, list) ->
                remote.putRefsDelta(parent.id(), List.of(), List.of(list.get(0), unknownId(1))));
    }

    @Test
    void addingAnUnstoredIdIsRefused() throws IOException {
        refused(ErrorCode.REFUSED, "does not store", (remote, parent, list) ->
                remote.putRefsDelta(parent.id(), List.of(unknownId(2)), List.of()));
    }

    @Test
    void addingAnIdThatTheParentHasIsRefused() throws IOException {
        refused(ErrorCode.REFUSED, "has already", (remote, parent, list) ->
                remote.putRefsDelta(parent.id(), List.of(list.get(0)), List.of()));
    }

    @Test
    void namingAnotherIdentitysParentIsRefused() throws IOException {
        // web-2 pushes job db; web-1 then names that snapshot as the parent of its delta
        LocalLinks.Pair other = pair("web-2");
        push(new RecordingLink(other.first()), other, "db", TreeCache.none());
        SnapshotRecord foreign = newest();
        refused(ErrorCode.REFUSED, "is not a snapshot of job 'home' from 'web-1'", (remote, parent, list) ->
                remote.putRefsDelta(foreign.id(), List.of(), List.of()));
    }

    @Test
    void aDeltaInAReadSessionIsRefused() throws IOException {
        LocalLinks.Pair first = pair("web-1");
        push(new RecordingLink(first.first()), first, "home", cache);
        SnapshotRecord parent = newest();
        Map<String, Long> before = h.repositoryFiles();
        LocalLinks.Pair p = pair("web-1");
        Mono<CloseReason> served = h.serve(p.second());
        RemoteBlobSink remote = RemoteBlobSink.open(p.first(), "home", MessageType.OPEN_READ);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> remote.putRefsDelta(parent.id(), List.of(), List.of()));
        assertEquals(ErrorCode.REFUSED, e.code());
        remote.close();
        served.block(PushHarness.WAIT);
        assertEquals(before, h.repositoryFiles());
    }
}
