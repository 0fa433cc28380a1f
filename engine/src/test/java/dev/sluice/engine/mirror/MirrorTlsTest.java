package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.MirrorJobSpec;
import dev.sluice.engine.config.TlsConnectSpec;
import dev.sluice.engine.job.Connector;
import dev.sluice.engine.daemon.EventLog;
import dev.sluice.engine.daemon.PeerDispatcher;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.protocol.Keepalive;
import dev.sluice.engine.daemon.TlsSinkService;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.job.MirrorJob;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.tls.CertificateAuthority;
import dev.sluice.transport.tls.TlsClient;
import dev.sluice.transport.tls.TlsEngine;
import dev.sluice.transport.tls.TlsServerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The donor/joiner case over real mutual TLS on loopback: the joiner's daemon listener hands a link whose first frame
 * is a mirror OPEN to its {@link MirrorReceiver}; the donor's certificate name is its identity, which may write only
 * its configured targets; the donor checks the joiner's name unless told, insecurely and with a warning, not to.
 */
class MirrorTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final Scheduler io = Schedulers.newBoundedElastic(4, 1000, "mirror-tls");
    private Path pki;
    private TlsSinkService service;

    @BeforeEach
    void start() throws IOException {
        pki = Files.createDirectories(dir.resolve("pki"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        for (String n : new String[] {"joiner", "donor", "other"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        }
        MirrorReceiver receiver = new MirrorReceiver(new MirrorPolicy(Map.of(
                new PeerIdentity("donor"), Map.of("datadir", dir.resolve("in-place"), "snaps", dir.resolve("snaps")),
                new PeerIdentity("other"), Map.of("elsewhere", dir.resolve("elsewhere")))),
                MirrorTestTargets.factory(), MirrorLimits.DEFAULT, io);
        TlsServerSpec serverSpec = new TlsServerSpec("127.0.0.1", 0, pki.resolve("ca.crt"), pki.resolve("joiner.crt"),
                pki.resolve("joiner.key"), Map.of("donor", new PeerIdentity("donor"), "other", new PeerIdentity("other")),
                LinkSpec.DEFAULT, TlsEngine.preferred());
        service = new TlsSinkService(serverSpec, new PeerDispatcher(null, null, new ParkedLinks(Keepalive.DEFAULT, io), () -> null,
                new EventLog(System.err, Clock.systemUTC(), "info", false), io, receiver)::serve);
        service.start();
    }

    @AfterEach
    void stop() {
        service.stop();
        io.dispose();
    }

    private TlsConnectSpec tls(String client, String serverName, boolean insecure) {
        return new TlsConnectSpec("127.0.0.1", service.address().getPort(), serverName, pki.resolve("ca.crt"),
                pki.resolve(client + ".crt"), pki.resolve(client + ".key"), insecure);
    }

    private MirrorResult push(String client, String target, Path src, MirrorOptions.Layout layout) throws IOException {
        Link link = TlsClient.connect(Connector.tlsClient(tls(client, "joiner", false))).block(WAIT);
        return new MirrorSender().run(link, new MirrorRequest(List.of(src), ScanRules.all(), target, layout, true,
                false, false, 0));
    }

    @Test
    void tlsRoundTripsInBothLayoutsEqualTheSourceAndASecondRunMovesTheChange() throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        TreeFixture.kitchenSink(21).randomFile("data/big.bin", 3 << 20, 22).materialise(src);
        push("donor", "datadir", src, MirrorOptions.Layout.IN_PLACE);
        TreeAssert.assertSameTree(src, dir.resolve("in-place"));
        MirrorResult snap = push("donor", "snaps", src, MirrorOptions.Layout.SNAPSHOTS);
        TreeAssert.assertSameTree(src, dir.resolve("snaps").resolve(snap.receiver().finalTree()));

        byte[] big = Files.readAllBytes(src.resolve("data/big.bin"));
        System.arraycopy(TreeFixture.random(1000, 23), 0, big, 2_000_000, 1000);
        Files.write(src.resolve("data/big.bin"), big);
        MirrorResult second = push("donor", "datadir", src, MirrorOptions.Layout.IN_PLACE);
        TreeAssert.assertSameTree(src, dir.resolve("in-place"));
        assertEquals(1, second.filesWritten(), second.toString());
        assertTrue(second.bytesSent() < 2L * MirrorChunking.PARAMS.max() + 64 * 1024,
                "a 1000-byte change moved " + second.bytesSent() + " bytes");
    }

    @Test
    void anIdentityMayOnlyWriteItsOwnTargets() throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        TreeFixture.create().file("a", "a").materialise(src);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> push("other", "datadir", src, MirrorOptions.Layout.IN_PLACE));
        assertEquals(ErrorCode.JOB_NOT_ALLOWED, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("'other' may not mirror into target 'datadir'"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("in-place")));
    }

    @Test
    void theServerNameIsCheckedUnlessInsecureSkipVerifyWhichWarnsOnEveryRun() throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        TreeFixture.create().file("a", "a").materialise(src);
        List<String> warnings = new ArrayList<>();
        MirrorJob job = new MirrorJob(io, Clock.systemUTC(), warnings::add);
        MirrorRequest request = new MirrorRequest(List.of(src), ScanRules.all(), "datadir",
                MirrorOptions.Layout.IN_PLACE, true, false, false, 0);

        MirrorJob.Plan checked = new MirrorJob.Plan("db", request, new MirrorJobSpec(null, "datadir",
                tls("donor", "not-the-joiner", false), "in-place", true, false, false, 0));
        IOException refused = assertThrows(IOException.class, () -> job.run(checked));
        assertTrue(refused.getMessage().contains("not-the-joiner"), refused.getMessage());
        assertEquals(List.of(), warnings);

        MirrorJob.Plan insecure = new MirrorJob.Plan("db", request, new MirrorJobSpec(null, "datadir",
                tls("donor", "not-the-joiner", true), "in-place", true, false, false, 0));
        job.run(insecure);
        job.run(insecure);
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("insecure_skip_verify") && warnings.get(0).contains("NOT verified"),
                warnings.get(0));
        TreeAssert.assertSameTree(src, dir.resolve("in-place"));
    }
}
