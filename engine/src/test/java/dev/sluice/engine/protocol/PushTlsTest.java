package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.daemon.TlsSinkService;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.tls.CertificateAuthority;
import dev.sluice.transport.tls.TlsClient;
import dev.sluice.transport.tls.TlsClientSpec;
import dev.sluice.transport.tls.TlsEngine;
import dev.sluice.transport.tls.TlsServerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A push over a real mutual-TLS link on loopback to the daemon's sink listener; certificate names map to identities. */
class PushTlsTest {
    @TempDir
    Path dir;

    @Test
    void pushOverMutualTlsRestoresAndRefusesAnUnconfiguredIdentity() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        for (String n : new String[] {"sink", "web-1", "web-2"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        }
        Path work = Files.createDirectories(dir.resolve("work"));
        try (PushHarness h = new PushHarness(work)) {
            TlsServerSpec serverSpec = new TlsServerSpec("127.0.0.1", 0, pki.resolve("ca.crt"),
                    pki.resolve("sink.crt"), pki.resolve("sink.key"),
                    Map.of("web-1", new PeerIdentity("web-1"), "web-2", new PeerIdentity("web-2")),
                    LinkSpec.DEFAULT, TlsEngine.preferred());
            TlsSinkService service = new TlsSinkService(serverSpec, h.server);
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

    private static TlsClientSpec clientSpec(Path pki, TlsSinkService server, String name) {
        return new TlsClientSpec("127.0.0.1", server.address().getPort(), pki.resolve("ca.crt"),
                pki.resolve(name + ".crt"), pki.resolve(name + ".key"), "sink", LinkSpec.DEFAULT,
                TlsEngine.preferred());
    }
}
