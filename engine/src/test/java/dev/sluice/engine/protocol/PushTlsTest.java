package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.daemon.TlsSinkService;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.tls.CertificateAuthority;
import dev.sluice.transport.tls.TlsClient;
import dev.sluice.transport.tls.TlsClientSpec;
import dev.sluice.transport.tls.TlsEngine;
import dev.sluice.transport.tls.TlsServerSpec;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Sinks;

/**
 * A push over a real mutual-TLS link on loopback to the daemon's sink listener; certificate names map to identities;
 * a source cannot prune or delete over it.
 */
class PushTlsTest {
    @TempDir
    Path dir;

    /** A CA with certificates for sink, web-1 and web-2 in {@code dir/pki}. */
    private Path pki() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        for (String n : new String[] {"sink", "web-1", "web-2"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        }
        return pki;
    }

    private static TlsSinkService listener(Path pki, PushHarness h) {
        TlsServerSpec serverSpec = new TlsServerSpec("127.0.0.1", 0, pki.resolve("ca.crt"),
                pki.resolve("sink.crt"), pki.resolve("sink.key"),
                Map.of("web-1", new PeerIdentity("web-1"), "web-2", new PeerIdentity("web-2")),
                LinkSpec.DEFAULT, TlsEngine.preferred());
        return new TlsSinkService(serverSpec, h.server);
    }

    @Test
    void pushOverMutualTlsRestoresAndRefusesAnUnconfiguredIdentity() throws Exception {
        Path pki = pki();
        Path work = Files.createDirectories(dir.resolve("work"));
        try (PushHarness h = new PushHarness(work)) {
            TlsSinkService service = listener(pki, h);
            service.start();
            try {
                Link link = TlsClient.connect(clientSpec(pki, service, "web-1")).block(PushHarness.WAIT);
                RecordingLink wire = new RecordingLink(link);
                h.push(wire, "home");
                List<SnapshotRecord> snaps = h.snapshots();
                assertEquals(1, snaps.size());
                assertEquals("web-1", snaps.get(0).host(), "the host is the certificate's identity");
                assertTrue(wire.dataPutBytes.get() >= 612 * 1024, "data crossed TLS: " + wire.dataPutBytes);
                h.restoreAndCompare(dir.resolve("restore"));
                h.assertSinkHasNoKey();

                // web-2 is a known certificate, but its identity is configured only for job "db"
                Link other = TlsClient.connect(clientSpec(pki, service, "web-2")).block(PushHarness.WAIT);
                ProtocolException e = assertThrows(ProtocolException.class, () -> RemoteBlobSink.open(other, "home"));
                assertEquals(ErrorCode.JOB_NOT_ALLOWED, e.code());
                CloseReason ended = other.onClose().block(PushHarness.WAIT);
                assertTrue(ended.detail().contains("'web-2' is not configured for job 'home'"), ended.toString());
                assertEquals(1, h.snapshots().size());
            } finally {
                service.stop();
            }
        }
    }

    /**
     * A source peer cannot prune or delete: the protocol has no such message, and a forged one (a "PRUNE" frame
     * naming a stored snapshot, a "DELETE", an answer type sent as a request) is refused with UNKNOWN_MESSAGE, the
     * session ends, and not one file of the sink's repository changes.
     */
    @Test
    void aForgedPruneOrDeleteFromASourceIsRefusedAndChangesNothing() throws Exception {
        Path pki = pki();
        Path work = Files.createDirectories(dir.resolve("work"));
        try (PushHarness h = new PushHarness(work)) {
            TlsSinkService service = listener(pki, h);
            service.start();
            try {
                h.push(TlsClient.connect(clientSpec(pki, service, "web-1")).block(PushHarness.WAIT), "home");
                SnapshotRecord stored = h.snapshots().get(0);
                Map<String, Long> before = h.repositoryFiles();
                byte[] snapshotId = HexFormat.of().parseHex(stored.id().hex());
                int prune = ('P' << 8) | 'R';
                int delete = ('D' << 8) | 'E';
                for (int forged : new int[] {prune, delete, MessageType.COMMITTED.wire()}) {
                    assertTrue(forged == MessageType.COMMITTED.wire() || MessageType.fromWire(forged) == null,
                            "frame type " + forged + " must not be a message");
                    Link link = TlsClient.connect(clientSpec(pki, service, "web-1")).block(PushHarness.WAIT);
                    RawSession raw = new RawSession(link);
                    raw.send(MessageType.OPEN.wire(), SessionCodec.open(1, "home"));
                    assertEquals(MessageType.OPENED.wire(), raw.next().type());
                    raw.send(forged, ByteBuffer.allocate(4 + snapshotId.length).putInt(2).put(snapshotId).array());
                    RawSession.In answer = raw.next();
                    assertEquals(MessageType.ERROR.wire(), answer.type());
                    ErrorCodec.Error error = ErrorCodec.decode(answer.payload());
                    assertEquals(ErrorCode.UNKNOWN_MESSAGE, error.code(), error.toString());
                    assertEquals(2, error.requestId());
                    assertTrue(error.message().contains("not a message this sink serves; a source may only add blobs"
                            + " and snapshots (there is no delete") || error.message().contains("is an answer, not"
                            + " a request"), error.message());
                    link.close(CloseReason.of(CloseReason.Code.NORMAL, "the source read the ERROR"));
                }
                // before OPEN too: the type is refused first
                Link early = TlsClient.connect(clientSpec(pki, service, "web-1")).block(PushHarness.WAIT);
                RawSession raw = new RawSession(early);
                raw.send(prune, ByteBuffer.allocate(4 + snapshotId.length).putInt(1).put(snapshotId).array());
                assertEquals(ErrorCode.UNKNOWN_MESSAGE, ErrorCodec.decode(raw.next().payload()).code());
                early.close(CloseReason.of(CloseReason.Code.NORMAL, "the source read the ERROR"));

                assertEquals(before, h.repositoryFiles(), "the sink's repository changed");
                assertEquals(List.of(stored), h.snapshots());
                h.restoreAndCompare(dir.resolve("restore"));
            } finally {
                service.stop();
            }
        }
    }

    /** Frames sent and received one at a time, with no protocol client in between. */
    private static final class RawSession {
        record In(int type, byte[] payload) {}

        private final Sinks.Many<Frame> out = Sinks.many().unicast().onBackpressureBuffer();
        private final BlockingQueue<In> in = new LinkedBlockingQueue<>();

        RawSession(Link link) {
            link.send(out.asFlux()).subscribe(v -> { }, e -> { });
            link.receive().subscribe(f -> {
                try {
                    byte[] b = new byte[f.payload().readableBytes()];
                    f.payload().readBytes(b);
                    in.add(new In(f.type(), b));
                } finally {
                    f.release();
                }
            }, e -> { });
        }

        void send(int type, byte[] payload) {
            out.tryEmitNext(Frame.of(type, payload)).orThrow();
        }

        In next() throws InterruptedException {
            In f = in.poll(PushHarness.WAIT.toSeconds(), TimeUnit.SECONDS);
            if (f == null) {
                throw new AssertionError("no frame from the sink within " + PushHarness.WAIT);
            }
            return f;
        }
    }

    private static TlsClientSpec clientSpec(Path pki, TlsSinkService server, String name) {
        return new TlsClientSpec("127.0.0.1", server.address().getPort(), pki.resolve("ca.crt"),
                pki.resolve(name + ".crt"), pki.resolve(name + ".key"), "sink", LinkSpec.DEFAULT,
                TlsEngine.preferred());
    }
}
