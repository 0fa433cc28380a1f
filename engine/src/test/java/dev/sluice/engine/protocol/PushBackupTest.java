package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.backup.BackupResult;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Push backups over an in-process link into a key-less sink repository, and what the sink refuses. */
class PushBackupTest {
    @TempDir
    Path dir;
    PushHarness h;

    @BeforeEach
    void setUp() throws IOException {
        h = new PushHarness(dir);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private LocalLinks.Pair pair(String sourceIdentity) {
        return LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity(sourceIdentity));
    }

    private BackupResult push(RecordingLink source, LocalLinks.Pair p, String job) throws IOException {
        Mono<CloseReason> served = h.serve(p.second());
        BackupResult r = h.push(source, job);
        served.block(PushHarness.WAIT);
        return r;
    }

    @Test
    void pushStoresASnapshotThatRestoresWithTheSourceKeyOnly() throws IOException {
        Instant before = Instant.now();
        LocalLinks.Pair p = pair("web-1");
        RecordingLink wire = new RecordingLink(p.first());
        BackupResult result = push(wire, p, "home");

        List<SnapshotRecord> snaps = h.snapshots();
        assertEquals(1, snaps.size());
        SnapshotRecord s = snaps.get(0);
        assertEquals(result.snapshot(), s.id(), "the source learns the id the sink stored");
        assertEquals("web-1", s.host(), "host is the peer identity, not what the source claimed");
        assertEquals("home", s.job());
        assertTrue(s.time().isAfter(before.plus(PushHarness.SINK_CLOCK_OFFSET).minusSeconds(5)),
                "the time is the sink's receipt time, not the source's: " + s.time());
        assertTrue(wire.dataPutBytes.get() >= 612 * 1024, "data crossed the wire: " + wire.dataPutBytes);
        h.restoreAndCompare(dir.resolve("restore"));
        h.assertSinkHasNoKey();
    }

    @Test
    void secondPushSendsOnlyTheChangedChunks() throws IOException {
        LocalLinks.Pair first = pair("web-1");
        RecordingLink wire1 = new RecordingLink(first.first());
        push(wire1, first, "home");

        byte[] changed = PushHarness.random(new Random(7), 100);
        try (RandomAccessFile f = new RandomAccessFile(h.src.resolve("big.bin").toFile(), "rw")) {
            f.seek(300_000);
            f.write(changed);
        }
        LocalLinks.Pair second = pair("web-1");
        RecordingLink wire2 = new RecordingLink(second.first());
        BackupResult r2 = push(wire2, second, "home");

        assertNotNull(r2.parent(), "the second push found its parent at the sink");
        long sent = wire2.dataPutBytes.get();
        System.out.printf("push 1: %d data bytes, %d tree bytes; push 2 after changing %d bytes: %d data bytes,"
                        + " %d tree bytes in %d PUTs%n", wire1.dataPutBytes.get(), wire1.treePutBytes.get(),
                changed.length, sent, wire2.treePutBytes.get(), wire2.puts.get());
        assertTrue(sent > 0, "the changed chunk was sent");
        // one changed region touches at most two chunks of at most 64 KiB each (plus 40 bytes of sealing)
        assertTrue(sent <= 2 * (65536 + 40), "push 2 sent " + sent + " data bytes for a 100-byte change");
        assertEquals(2, h.snapshots().size());
        h.restoreAndCompare(dir.resolve("restore"));
    }

    @Test
    void anIdentityNotConfiguredForTheJobIsRefused() throws IOException {
        Map<String, Long> before = h.repositoryFiles();
        LocalLinks.Pair p = pair("web-2");
        Mono<CloseReason> served = h.serve(p.second());
        ProtocolException e = assertThrows(ProtocolException.class, () -> RemoteBlobSink.open(p.first(), "home"));
        assertEquals(ErrorCode.JOB_NOT_ALLOWED, e.code());
        assertTrue(e.getMessage().contains("'web-2' is not configured for job 'home'"), e.getMessage());
        CloseReason reason = served.block(PushHarness.WAIT);
        assertEquals(CloseReason.Code.PROTOCOL_ERROR, reason.code());
        assertEquals(before, h.repositoryFiles());
        assertEquals(List.of(), h.snapshots());
    }

    @Test
    void anUnknownFrameTypeIsRefusedAndEndsTheSession() throws IOException {
        LocalLinks.Pair first = pair("web-1");
        push(new RecordingLink(first.first()), first, "home");
        Map<String, Long> before = h.repositoryFiles();

        LocalLinks.Pair p = pair("web-1");
        Mono<CloseReason> served = h.serve(p.second());
        byte[] deleteAttempt = "delete everything".getBytes(StandardCharsets.UTF_8);
        Mono<List<Frame>> answers = p.first().receive().collectList().onErrorResume(x -> Mono.just(List.of()))
                .cache();
        answers.subscribe();
        p.first().send(Flux.just(Frame.of(MessageType.OPEN.wire(), SessionCodec.open(1, "home")),
                Frame.of(999, java.nio.ByteBuffer.allocate(4 + deleteAttempt.length).putInt(2).put(deleteAttempt)
                        .array()))).subscribe(v -> { }, x -> { });
        CloseReason reason = served.block(PushHarness.WAIT);
        assertEquals(CloseReason.Code.PROTOCOL_ERROR, reason.code());
        assertTrue(reason.detail().contains("frame type 999"), reason.detail());
        CloseReason seen = p.first().onClose().block(PushHarness.WAIT);
        assertTrue(seen.detail().contains("frame type 999"), "the source is told why: " + seen);
        assertEquals(before, h.repositoryFiles());
    }

    @Test
    void aCommitForAnotherJobIsRefusedAndNothingChanges() throws IOException {
        LocalLinks.Pair first = pair("web-1");
        push(new RecordingLink(first.first()), first, "home");
        SnapshotRecord stored = h.snapshots().get(0);
        Map<String, Long> before = h.repositoryFiles();

        LocalLinks.Pair p = pair("web-1");
        Mono<CloseReason> served = h.serve(p.second());
        try (RemoteBlobSink remote = RemoteBlobSink.open(p.first(), "home")) {
            SnapshotRecord foreign = SnapshotRecord.create("db", "web-2", stored.time(), null, 1, 1, 1, 0, 0,
                    stored.refs(), stored.sealedPayload());
            ProtocolException e = assertThrows(ProtocolException.class, () -> remote.commit(foreign));
            assertEquals(ErrorCode.REFUSED, e.code());
            assertTrue(e.getMessage().contains("job 'db'"), e.getMessage());
            assertThrows(IOException.class, () -> remote.has(stored.refs()), "the session is over");
        } catch (IOException closing) {
            // closing a refused session reports the refusal again; the assertions above are what matter
            assertTrue(closing.getMessage().contains("refused"), closing.getMessage());
        }
        assertEquals(CloseReason.Code.PROTOCOL_ERROR, served.block(PushHarness.WAIT).code());
        assertEquals(before, h.repositoryFiles());
        assertEquals(List.of(stored), h.snapshots());
    }

    @Test
    void anInterruptedPushLeavesNoSnapshotAndTheNextSendsOnlyWhatIsMissing() throws IOException {
        LocalLinks.Pair p = pair("web-1");
        RecordingLink cut = new RecordingLink(p.first(), 300 * 1024);
        Mono<CloseReason> served = h.serve(p.second());
        assertThrows(IOException.class, () -> h.push(cut, "home"));
        served.block(PushHarness.WAIT);
        assertEquals(List.of(), h.snapshots(), "no snapshot after an interrupted push");
        long arrived = h.storedDataBytes();
        assertTrue(arrived > 0, "some blobs arrived before the cut");

        LocalLinks.Pair again = pair("web-1");
        RecordingLink wire = new RecordingLink(again.first());
        push(wire, again, "home");
        long total = h.storedDataBytes();
        System.out.printf("interrupted push: %d data bytes sent, %d stored at the sink; next push sent %d of %d%n",
                cut.dataPutBytes.get(), arrived, wire.dataPutBytes.get(), total);
        assertEquals(total - arrived, wire.dataPutBytes.get(), "the next push sent exactly what had not arrived");
        assertEquals(1, h.snapshots().size());
        h.restoreAndCompare(dir.resolve("restore"));
    }
}
