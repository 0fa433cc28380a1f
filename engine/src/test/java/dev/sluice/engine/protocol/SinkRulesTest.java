package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.IndexEntry;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.retention.SnapshotRateLimit;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** What a sink serves a source beyond the push itself, and what it refuses. */
class SinkRulesTest {
    @TempDir
    Path dir;

    private static LocalLinks.Pair pair(String identity) {
        return LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity(identity));
    }

    private static void push(PushHarness h, String identity, String job) throws IOException {
        LocalLinks.Pair p = pair(identity);
        Mono<CloseReason> served = h.serve(p.second());
        h.push(p.first(), job);
        served.block(PushHarness.WAIT);
    }

    private static BlobId anyBlob(PushHarness h, BlobKind kind) throws IOException {
        try (Repository repo = Repository.open(h.repoRoot)) {
            for (IndexEntry e : repo.index()) {
                if (e.kind() == kind) {
                    return e.id();
                }
            }
        }
        throw new AssertionError("no " + kind + " blob in the sink's repository");
    }

    @Test
    void onlyTreeBlobsOfOwnSnapshotsAreServed() throws IOException {
        try (PushHarness h = new PushHarness(dir)) {
            push(h, "web-1", "home");
            BlobId tree = anyBlob(h, BlobKind.TREE);
            BlobId data = anyBlob(h, BlobKind.DATA);

            LocalLinks.Pair p = pair("web-1");
            Mono<CloseReason> served = h.serve(p.second());
            try (RemoteBlobSink own = RemoteBlobSink.open(p.first(), "home")) {
                Optional<SnapshotRecord> latest = own.latest("home", "anything");
                assertEquals(h.snapshots().get(0), latest.orElseThrow());
                ProtocolException e = assertThrows(ProtocolException.class, () -> own.readBlob(data));
                assertEquals(ErrorCode.NOT_FOUND, e.code());
                try (Repository repo = Repository.open(h.repoRoot)) {
                    assertArrayEquals(repo.readBlob(tree), own.readBlob(tree), "the session goes on after NOT_FOUND");
                }
            }
            assertTrue(served.block(PushHarness.WAIT).isNormal());

            LocalLinks.Pair q = pair("web-2");
            Mono<CloseReason> servedOther = h.serve(q.second());
            try (RemoteBlobSink other = RemoteBlobSink.open(q.first(), "db")) {
                assertEquals(Optional.empty(), other.latest("db", "web-1"), "another identity's snapshots are hidden");
                assertEquals(ErrorCode.NOT_FOUND,
                        assertThrows(ProtocolException.class, () -> other.readBlob(tree)).code());
            }
            servedOther.block(PushHarness.WAIT);
        }
    }

    /** PUT_REFS is written as it arrives; a list refused half-way leaves no file, not even a temporary one. */
    @Test
    void aReferenceListNamingABlobTheSinkLacksIsRefusedAndLeavesNoFile() throws IOException {
        try (PushHarness h = new PushHarness(dir)) {
            push(h, "web-1", "home");
            Map<String, Long> before = h.repositoryFiles();
            BlobId stored = anyBlob(h, BlobKind.DATA);
            byte[] high = new byte[BlobId.LENGTH];
            java.util.Arrays.fill(high, (byte) 0xff);
            BlobId missing = BlobId.of(high);
            LocalLinks.Pair p = pair("web-1");
            Mono<CloseReason> served = h.serve(p.second());
            RemoteBlobSink remote = RemoteBlobSink.open(p.first(), "home");
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> remote.putRefs(List.of(stored, missing).iterator()));
            assertEquals(ErrorCode.REFUSED, e.code());
            assertTrue(e.getMessage().contains("does not store"), e.getMessage());
            remote.close();
            served.block(PushHarness.WAIT);
            assertEquals(before, h.repositoryFiles());
            try (var tmp = Files.list(h.repoRoot.resolve("tmp"))) {
                assertEquals(List.of(), tmp.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("refs-"))
                        .toList(), "the refused list's temporary file was removed");
            }
        }
    }

    @Test
    void aCommitNamingAForeignParentIsRefused() throws IOException {
        try (PushHarness h = new PushHarness(dir)) {
            push(h, "web-1", "home");
            SnapshotRecord stored = h.snapshots().get(0);
            Map<String, Long> before = h.repositoryFiles();
            LocalLinks.Pair p = pair("web-1");
            Mono<CloseReason> served = h.serve(p.second());
            RemoteBlobSink remote = RemoteBlobSink.open(p.first(), "home");
            SnapshotRecord forged = SnapshotRecord.create("home", "web-1", stored.time(),
                    SnapshotId.of(new byte[32]), 1, 1, 1, 0, 0, stored.refs(), stored.sealedPayload());
            ProtocolException e = assertThrows(ProtocolException.class, () -> remote.commit(forged));
            assertEquals(ErrorCode.REFUSED, e.code());
            assertTrue(e.getMessage().contains("parent"), e.getMessage());
            remote.close(); // the refusal was reported by commit; closing does not throw it again
            served.block(PushHarness.WAIT);
            assertEquals(before, h.repositoryFiles());
        }
    }

    @Test
    void theSnapshotRateLimitRefusesACommitAndStoresNoRecord() throws IOException {
        try (PushHarness h = new PushHarness(dir, new SnapshotRateLimit(1))) {
            push(h, "web-1", "home");
            LocalLinks.Pair p = pair("web-1");
            Mono<CloseReason> served = h.serve(p.second());
            ProtocolException e = assertThrows(ProtocolException.class, () -> h.push(p.first(), "home"));
            assertEquals(ErrorCode.RATE_LIMITED, e.code());
            assertTrue(e.getMessage().contains("at most 1 an hour"), e.getMessage());
            served.block(PushHarness.WAIT);
            assertEquals(List.of(h.snapshots().get(0)), h.snapshots());
        }
    }
}
