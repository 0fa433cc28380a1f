package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.engine.config.MirrorJobSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.job.MirrorJob;
import dev.sluice.engine.protocol.DirectionCodec;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirror pull and reverse pull over mutual TLS on loopback, through the daemons' listeners and first-frame dispatch:
 * the receiver (joiner) drives with MIRROR_PULL(job), the sender (donor) runs its configured job over that link, and
 * the joiner writes the tree with its own layout. A receiver the job does not list is refused and nothing is
 * written.
 */
class MirrorPullTest {
    @TempDir
    Path dir;

    private static String donorConfig(MirrorPeers p, String mirror) {
        return """
                global:
                  host: donor
                  listen:
                    tls: {address: '127.0.0.1:0', ca: %s, cert: %s, key: %s, clients: {joiner: joiner, other: other}}
                jobs:
                  - name: datadir
                    type: mirror
                    paths: [%s]
                    mirror: %s
                """.formatted(p.pki.resolve("ca.crt"), p.pki.resolve("donor.crt"), p.pki.resolve("donor.key"), p.src,
                mirror);
    }

    private static String joinerJob(String name, String pull, Path directory, String layout) {
        return """
                  - name: %s
                    type: mirror
                    mirror: {pull: %s, directory: %s, layout: %s}
                """.formatted(name, pull, directory, layout);
    }

    @Test
    void aPullOverTlsWritesTheSendersTreeInBothLayouts() throws Exception {
        try (MirrorPeers p = new MirrorPeers(dir)) {
            SluiceConfig donor = p.config("donor.yaml", donorConfig(p, "{pulled_by: [joiner]}"));
            TlsSinkService listener = TlsSinkService.of(donor.global(), p.senderDispatcher(donor)::serve);
            listener.start();
            try {
                int port = listener.address().getPort();
                String pull = "{job: datadir, tls: " + p.tls(port, "donor", "joiner") + "}";
                SluiceConfig joiner = p.config("joiner.yaml", "global: {host: joiner}\njobs:\n"
                        + joinerJob("in-place", pull, dir.resolve("joiner/in-place"), "in-place")
                        + joinerJob("snaps", pull, dir.resolve("joiner/snaps"), "snapshots"));
                MirrorJob.Outcome inPlace = p.runOk(joiner, "in-place");
                assertNull(inPlace.result(), "the receiving side has no sender result");
                assertEquals(".", inPlace.received().finalTree());
                TreeAssert.assertSameTree(p.src, dir.resolve("joiner/in-place"));
                MirrorJob.Outcome snap = p.runOk(joiner, "snaps");
                TreeAssert.assertSameTree(p.src, dir.resolve("joiner/snaps").resolve(snap.received().finalTree()));

                // a second pull sends no content: every file is kept
                MirrorJob.Outcome again = p.runOk(joiner, "in-place");
                assertEquals(0, again.received().filesWritten(), again.toString());
            } finally {
                listener.stop();
            }
        }
    }

    @Test
    void aReceiverTheJobDoesNotListIsRefusedAndNothingIsWritten() throws Exception {
        try (MirrorPeers p = new MirrorPeers(dir)) {
            SluiceConfig donor = p.config("donor.yaml", donorConfig(p, "{pulled_by: [joiner]}"));
            TlsSinkService listener = TlsSinkService.of(donor.global(), p.senderDispatcher(donor)::serve);
            listener.start();
            try {
                int port = listener.address().getPort();
                // 'other' has a certificate the donor maps, but the job does not list it
                SluiceConfig other = p.config("other.yaml", "global: {host: other}\njobs:\n" + joinerJob("copy",
                        "{job: datadir, tls: " + p.tls(port, "donor", "other") + "}", dir.resolve("other"),
                        "snapshots"));
                MirrorJob.Outcome refused = p.run(other, "copy", new dev.sluice.engine.job.Cancellation());
                assertNotEquals(0, refused.status());
                assertTrue(String.valueOf(refused.failure()).contains("JOB_NOT_ALLOWED: receiver 'other' may not pull"
                        + " mirror job 'datadir'"), String.valueOf(refused.failure()));
                assertTrue(Files.notExists(dir.resolve("other")), "nothing is written");
                assertTrue(p.log().contains("peer.refused peer=other code=JOB_NOT_ALLOWED"), p.log());
            } finally {
                listener.stop();
            }
        }
    }

    @Test
    void aBackupPullCannotAskForAMirrorJobNorAMirrorPullForAnUnknownJob() throws Exception {
        try (MirrorPeers p = new MirrorPeers(dir)) {
            SluiceConfig donor = p.config("donor.yaml", donorConfig(p, "{pulled_by: [joiner]}"));
            LocalLinks.Pair pair = LocalLinks.pair(new PeerIdentity("donor"), new PeerIdentity("joiner"));
            p.senderDispatcher(donor).serve(pair.second()).subscribe();
            ErrorCodec.Error e = PullFixture.firstFrameAnswer(pair.first(), MessageType.PULL,
                    DirectionCodec.pull(1, "datadir"));
            assertEquals(ErrorCode.JOB_NOT_ALLOWED, e.code(), e.message());
            LocalLinks.Pair second = LocalLinks.pair(new PeerIdentity("donor"), new PeerIdentity("joiner"));
            p.senderDispatcher(donor).serve(second.second()).subscribe();
            ErrorCodec.Error unknown = PullFixture.firstFrameAnswer(second.first(), MessageType.MIRROR_PULL,
                    DirectionCodec.mirrorPull(1, "etc"));
            assertEquals(ErrorCode.JOB_NOT_ALLOWED, unknown.code(), unknown.message());
            assertTrue(unknown.message().contains("'etc'"), unknown.message());
        }
    }

    @Test
    void aReversePullOverTlsParksAtTheReceiverThenRuns() throws Exception {
        try (MirrorPeers p = new MirrorPeers(dir)) {
            SluiceConfig joiner = p.config("joiner.yaml", """
                    global:
                      host: joiner
                      listen:
                        tls: {address: '127.0.0.1:0', ca: %s, cert: %s, key: %s, clients: {donor: donor}}
                    jobs:
                    %s""".formatted(p.pki.resolve("ca.crt"), p.pki.resolve("joiner.crt"), p.pki.resolve("joiner.key"),
                    joinerJob("copy", "{job: datadir, reverse: donor, wait: 30s}", dir.resolve("joiner/snaps"),
                            "snapshots")));
            TlsSinkService listener = TlsSinkService.of(joiner.global(), p.receiverDispatcher(joiner)::serve);
            listener.start();
            ReversePullService service = null;
            try {
                int port = listener.address().getPort();
                SluiceConfig donor = p.side("donor", null, "{reverse_pull: {tls: " + p.tls(port, "joiner", "donor")
                        + "}}", null);
                ConnectSpec dial = ((MirrorJobSpec) donor.job("datadir").orElseThrow().repository()).reversePull();
                assertEquals(java.util.List.of(dial), PeerServices.reverseDials(donor));
                service = new ReversePullService(dial, p.pulled(donor), p.log, p.jobThreads);
                service.start();
                MirrorJob.Outcome o = p.runOk(joiner, "copy");
                TreeAssert.assertSameTree(p.src, dir.resolve("joiner/snaps").resolve(o.received().finalTree()));
                assertTrue(p.log().contains("peer.parked peer=donor"), p.log());
            } finally {
                if (service != null) {
                    service.stop();
                }
                listener.stop();
            }
        }
    }
}
