package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.engine.config.PullSourceSpec;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Connector;
import dev.sluice.engine.job.PullJob;
import dev.sluice.engine.protocol.DirectionCodec;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.SinkPolicy;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.engine.retention.SnapshotRateLimit;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import dev.sluice.transport.tls.TlsEngine;
import dev.sluice.transport.tls.TlsServerSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull and reverse pull over in-process links and over mutual TLS on loopback, through the daemon's first-frame
 * dispatch: the sink drives, the source runs its job with its own key, and the sink's repository restores the tree;
 * the refusals say why and write nothing.
 */
class PullDirectionsTest {
    @TempDir
    Path dir;

    private static final PeerIdentity WEB_1 = new PeerIdentity("web-1");
    private static final PeerIdentity BACKUP_1 = new PeerIdentity("backup-1");

    @Test
    void aLocalPullRunsTheSourceJobAndRestores() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            SluiceConfig source = f.sourceConfig("{pull: {sinks: [backup-1]}}");
            LocalLinks.Pair pair = LocalLinks.pair(WEB_1, BACKUP_1);
            f.sourceDispatcher(source).serve(pair.second()).subscribe();
            PullJob.Outcome outcome = f.pull(PullFixture.dial(f.tls(1, "web-1", "backup-1")), pair.first());
            f.assertPulledOnce(outcome);
            assertTrue(f.log().contains("pull.end job=home peer=backup-1 status=0"), f.log());
        }
    }

    @Test
    void aSinkNotListedIsRefusedAndNothingIsWritten() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            SluiceConfig source = f.sourceConfig("{pull: {sinks: [backup-1]}}");
            LocalLinks.Pair pair = LocalLinks.pair(WEB_1, new PeerIdentity("backup-2"));
            f.sourceDispatcher(source).serve(pair.second()).subscribe();
            PullJob.Outcome outcome = f.pull(PullFixture.dial(f.tls(1, "web-1", "backup-1")), pair.first());
            assertNotEquals(0, outcome.status());
            assertTrue(outcome.failure().getMessage().contains("JOB_NOT_ALLOWED: sink 'backup-2' may not pull job"
                    + " 'home'"), outcome.failure().getMessage());
            assertEquals(List.of(), f.snapshots());
            assertTrue(f.log().contains("peer.refused peer=backup-2 code=JOB_NOT_ALLOWED"), f.log());
        }
    }

    @Test
    void aJobThatIsNotPulledIsRefused() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            SluiceConfig source = f.sourceConfig("{pull: {sinks: [backup-1]}}");
            LocalLinks.Pair pair = LocalLinks.pair(WEB_1, BACKUP_1);
            f.sourceDispatcher(source).serve(pair.second()).subscribe();
            ErrorCodec.Error e = PullFixture.firstFrameAnswer(pair.first(), MessageType.PULL,
                    DirectionCodec.pull(1, "etc"));
            assertEquals(ErrorCode.JOB_NOT_ALLOWED, e.code());
            assertTrue(e.message().contains("'etc'"), e.message());
            assertEquals(List.of(), f.snapshots());
        }
    }

    @Test
    void aReadyFromAnIdentityWithoutAPullJobIsClosedWithAReason() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            LocalLinks.Pair pair = LocalLinks.pair(BACKUP_1, new PeerIdentity("web-9"));
            f.sinkDispatcher(f.sinkConfig(), null).serve(pair.second()).subscribe();
            ErrorCodec.Error e = PullFixture.firstFrameAnswer(pair.first(), MessageType.READY, DirectionCodec.ready(1));
            assertEquals(ErrorCode.REFUSED, e.code());
            assertTrue(e.message().contains("no pull job on this daemon waits for source 'web-9'"), e.message());
            pair.first().onClose().block(PullFixture.WAIT);
            assertTrue(f.log().contains("peer.refused peer=web-9 code=REFUSED"), f.log());
            assertEquals(0, f.parked.parked(new PeerIdentity("web-9")));
        }
    }

    @Test
    void aPullAtASinkOnlyDaemonIsRefused() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            SinkServer sink = new SinkServer(f.repo.repo(), new SinkPolicy(Map.of(WEB_1, Set.of("home")),
                    SnapshotRateLimit.DEFAULT), f.clock, f.io);
            LocalLinks.Pair pair = LocalLinks.pair(WEB_1, BACKUP_1);
            f.sinkDispatcher(f.sinkConfig(), sink).serve(pair.second()).subscribe();
            ErrorCodec.Error e = PullFixture.firstFrameAnswer(pair.first(), MessageType.PULL,
                    DirectionCodec.pull(1, "home"));
            assertEquals(ErrorCode.REFUSED, e.code());
            assertTrue(e.message().contains("runs no job that a sink may pull"), e.message());
        }
    }

    @Test
    void anUnknownFirstFrameIsRefused() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            LocalLinks.Pair pair = LocalLinks.pair(WEB_1, BACKUP_1);
            f.sinkDispatcher(f.sinkConfig(), null).serve(pair.second()).subscribe();
            ErrorCodec.Error e = PullFixture.firstFrameAnswer(pair.first(), MessageType.HAS, new byte[4]);
            assertEquals(ErrorCode.UNKNOWN_MESSAGE, e.code());
            assertTrue(f.log().contains("cannot start a session"), f.log());
        }
    }

    @Test
    void aLocalReversePullParksThenRuns() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            ConnectSpec toSink = f.tls(1, "backup-1", "web-1");
            SluiceConfig source = f.sourceConfig("{reverse_pull: {tls: {address: '127.0.0.1:1', server_name: backup-1,"
                    + " ca: " + f.pki.resolve("ca.crt") + ", cert: " + f.pki.resolve("web-1.crt") + ", key: "
                    + f.pki.resolve("web-1.key") + "}}}");
            PeerDispatcher sink = f.sinkDispatcher(f.sinkConfig(), null);
            Connector inProcess = Connector.dialing("in-process sink", () -> {
                LocalLinks.Pair pair = LocalLinks.pair(BACKUP_1, WEB_1);
                sink.serve(pair.second()).subscribe();
                return pair.first();
            });
            ReversePullService service = new ReversePullService(toSink, inProcess, f.pulled(source), f.log,
                    f.jobThreads);
            service.start();
            try {
                PullJob.Outcome outcome = f.pull(PullFixture.reverse("web-1"), null);
                f.assertPulledOnce(outcome);
                assertTrue(f.log().contains("peer.parked peer=web-1"), f.log());
            } finally {
                service.stop();
            }
        }
    }

    @Test
    void aReversePullWithoutAParkedLinkWaitsThenSaysWhoIsMissing() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            PullJob job = new PullJob(f.clock, f.io, f.parked);
            PullJob.Outcome late = job.run(new PullJob.Plan("web-1-home", new PullSourceSpec(
                    "home", null, "web-1", Duration.ofMillis(300)), f.repo.repo(), SnapshotRateLimit.DEFAULT),
                    new Cancellation());
            assertEquals(1, late.status());
            assertTrue(late.failure().getMessage().startsWith("no link from source 'web-1' arrived within"),
                    late.failure().getMessage());
            Cancellation cancel = new Cancellation();
            f.jobThreads.schedule(cancel::cancel, 200, TimeUnit.MILLISECONDS);
            PullJob.Outcome cancelled = f.pull(PullFixture.reverse("web-1"), null, cancel);
            assertTrue(cancelled.failure().getMessage().contains("cancelled while waiting for source 'web-1'"),
                    cancelled.failure().getMessage());
            assertEquals(List.of(), f.snapshots());
        }
    }

    @Test
    void aSourceWhoseReadyIsRefusedLogsTheSinksReason() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            SluiceConfig source = f.sourceConfig("{reverse_pull: {tls: {address: '127.0.0.1:1', server_name: backup-1,"
                    + " ca: ca, cert: c, key: k}}}");
            // this sink has a pull job for web-1 only; the source dials in as web-7
            PeerDispatcher sink = f.sinkDispatcher(f.sinkConfig(), null);
            Connector inProcess = Connector.dialing("in-process sink", () -> {
                LocalLinks.Pair pair = LocalLinks.pair(BACKUP_1, new PeerIdentity("web-7"));
                sink.serve(pair.second()).subscribe();
                return pair.first();
            });
            ReversePullService service = new ReversePullService(f.tls(1, "backup-1", "web-1"), inProcess,
                    f.pulled(source), f.log, f.jobThreads);
            service.start();
            try {
                for (int i = 0; i < 500 && !f.log().contains("reverse.refused"); i++) {
                    Thread.sleep(20);
                }
                assertTrue(f.log().contains("reverse.refused peer=backup-1"), f.log());
                assertTrue(f.log().contains("no pull job on this daemon waits for source 'web-7'"), f.log());
            } finally {
                service.stop();
            }
        }
    }

    @Test
    void aTlsPullThroughTheSourceListener() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            SluiceConfig source = f.sourceConfig("{pull: {sinks: [backup-1]}}");
            TlsSinkService listener = new TlsSinkService(serverSpec(f, "web-1", Map.of("backup-1", BACKUP_1,
                    "backup-2", new PeerIdentity("backup-2"))), f.sourceDispatcher(source)::serve);
            listener.start();
            try {
                int port = listener.address().getPort();
                // backup-2 has a certificate the source maps, but the job does not list it
                PullJob.Outcome refused = f.pull(PullFixture.dial(f.tls(port, "web-1", "backup-2")), null);
                assertTrue(String.valueOf(refused.failure()).contains("may not pull job 'home'"),
                        String.valueOf(refused.failure()));
                assertEquals(List.of(), f.snapshots());
                f.assertPulledOnce(f.pull(PullFixture.dial(f.tls(port, "web-1", "backup-1")), null));
            } finally {
                listener.stop();
            }
        }
    }

    @Test
    void aTlsReversePullDialsTheSinkListener() throws Exception {
        try (PullFixture f = new PullFixture(dir)) {
            TlsSinkService listener = new TlsSinkService(serverSpec(f, "backup-1", Map.of("web-1", WEB_1)),
                    f.sinkDispatcher(f.sinkConfig(), null)::serve);
            listener.start();
            ReversePullService service = null;
            try {
                ConnectSpec toSink = f.tls(listener.address().getPort(), "backup-1", "web-1");
                SluiceConfig source = f.sourceConfig("{reverse_pull: {tls: {address: '127.0.0.1:"
                        + listener.address().getPort() + "', server_name: backup-1, ca: " + f.pki.resolve("ca.crt")
                        + ", cert: " + f.pki.resolve("web-1.crt") + ", key: " + f.pki.resolve("web-1.key") + "}}}");
                service = new ReversePullService(toSink, f.pulled(source), f.log, f.jobThreads);
                service.start();
                f.assertPulledOnce(f.pull(PullFixture.reverse("web-1"), null));
            } finally {
                if (service != null) {
                    service.stop();
                }
                listener.stop();
            }
        }
    }

    static TlsServerSpec serverSpec(PullFixture f, String self, Map<String, PeerIdentity> clients) {
        return new TlsServerSpec("127.0.0.1", 0, f.pki.resolve("ca.crt"), f.pki.resolve(self + ".crt"),
                f.pki.resolve(self + ".key"), clients, LinkSpec.DEFAULT, TlsEngine.preferred());
    }
}
