package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.MirrorJob;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.PeekedLink;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookRunner;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pulled mirror run cancelled at the sender (as {@code sluice cancel} or a daemon shutdown cancels the sender's
 * job) tells the receiver why with the mirror ERROR before the link closes: the receiver's pull job fails with that
 * reason, and its previous snapshot stays the only one, unchanged. Both daemons' pieces run in this JVM over an
 * in-process link that the receiver's parked links hand to its pull job, as a reverse pull's link would be.
 */
class MirrorPulledCancelTest {
    @TempDir
    Path dir;

    @Test
    void aCancelAtTheSenderReachesTheReceiverAsErrorWithTheReason() throws Exception {
        try (MirrorPeers p = new MirrorPeers(dir)) {
            SluiceConfig donor = p.side("donor", null, "{reverse_pull: {tls: " + p.tls(1, "joiner", "donor") + "}}",
                    null);
            Path snaps = dir.resolve("snaps");
            SluiceConfig joiner = p.side("joiner", "donor",
                    "{pull: {job: datadir, reverse: donor, wait: 30s}, layout: snapshots}", snaps);

            CountDownLatch open = new CountDownLatch(0);
            Pull done = pull(p, donor, joiner, open, open, new Cancellation());
            MirrorJob.Outcome firstReceived = done.received.get(60, TimeUnit.SECONDS);
            assertEquals(0, firstReceived.status(), String.valueOf(firstReceived.failure()));
            assertEquals(0, done.sent.get(60, TimeUnit.SECONDS).status());
            String first = firstReceived.received().finalTree();
            Files.writeString(p.src.resolve("data/hello.txt"), "changed after the first snapshot\n");

            // the receiver stops at big/big.bin until the sender's job has been cancelled
            CountDownLatch reached = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Cancellation cancellation = new Cancellation();
            Pull cancelled = pull(p, donor, joiner, reached, release, cancellation);
            assertTrue(reached.await(60, TimeUnit.SECONDS), "the run reached big/big.bin");
            cancellation.cancel("sluice cancel");
            cancellation.cancel("a later reason is not the one kept");
            release.countDown();

            MirrorJob.Outcome sent = cancelled.sent.get(60, TimeUnit.SECONDS);
            assertEquals(1, sent.status(), String.valueOf(sent.failure()));
            assertTrue(sent.failure().getMessage().startsWith("mirror job datadir was cancelled (sluice cancel)"),
                    sent.failure().getMessage());
            MirrorJob.Outcome received = cancelled.received.get(60, TimeUnit.SECONDS);
            assertEquals(1, received.status(), String.valueOf(received.failure()));
            String why = received.failure().getMessage();
            assertTrue(why.contains("the sender cancelled the run: the sender's job datadir was cancelled"
                    + " (sluice cancel)"), why);
            assertTrue(why.contains("the previous state of " + snaps + " is kept"), why);

            try (Stream<Path> trees = Files.list(snaps)) {
                assertEquals(List.of(first), trees.map(t -> t.getFileName().toString())
                        .filter(n -> !n.startsWith(".")).toList());
            }
            Path kept = snaps.resolve(first);
            assertEquals("hello\n", Files.readString(kept.resolve("data/hello.txt"), StandardCharsets.UTF_8));
            Files.writeString(p.src.resolve("data/hello.txt"), "hello\n");
            Files.setLastModifiedTime(p.src.resolve("data/hello.txt"),
                    Files.getLastModifiedTime(kept.resolve("data/hello.txt")));
            TreeAssert.assertSameTree(p.src, kept);
        }
    }

    /** Both sides of one pull in flight. */
    private record Pull(CompletableFuture<MirrorJob.Outcome> sent, CompletableFuture<MirrorJob.Outcome> received) {
    }

    /**
     * Starts the joiner's pull job {@code copy} (its target gated at big/big.bin by {@code reached} and
     * {@code release}), parks a fresh in-process link from the donor for it, and serves the MIRROR_PULL that comes
     * on that link with the donor's job {@code datadir}, cancelled by {@code cancellation}.
     */
    private static Pull pull(MirrorPeers p, SluiceConfig donor, SluiceConfig joiner, CountDownLatch reached,
            CountDownLatch release, Cancellation cancellation) {
        HookLog hookLog = BackupJobRunner.hookLog(p.log);
        MirrorJob receiving = new MirrorJob(p.io, p.warnings::add, new HookRunner(p.io, hookLog), hookLog, p.parked,
                (d, o) -> MirrorJobHooksTest.gate(MirrorTarget.open(d, o, p.clock), reached, release));
        CompletableFuture<MirrorJob.Outcome> received = CompletableFuture.supplyAsync(() -> receiving.run(
                MirrorJob.plan(joiner.job("copy").orElseThrow(), p.dir), new Cancellation()));
        LocalLinks.Pair link = LocalLinks.pair(new PeerIdentity("donor"), new PeerIdentity("joiner"));
        p.parked.park(link.first());
        CompletableFuture<MirrorJob.Outcome> sent = CompletableFuture.supplyAsync(() -> {
            PeekedLink.First ask = PeekedLink.read(link.second()).block(Duration.ofSeconds(60));
            assertEquals(MessageType.MIRROR_PULL.wire(), ask.frame().type());
            ask.frame().release();
            return p.mirrorJob().runPulled(MirrorJob.plan(donor.job("datadir").orElseThrow(), p.dir), ask.link(),
                    cancellation);
        });
        return new Pull(sent, received);
    }
}
