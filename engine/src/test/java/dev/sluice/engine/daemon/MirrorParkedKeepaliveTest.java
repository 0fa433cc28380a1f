package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.engine.config.MirrorJobSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.Connector;
import dev.sluice.engine.job.MirrorJob;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.mirror.MirrorMessage;
import dev.sluice.engine.protocol.DirectionCodec;
import dev.sluice.engine.protocol.Keepalive;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.ForwardingLink;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The keep-alive of parked mirror reverse-pull links, on virtual time: a sender's READY for a mirror pull job is
 * parked in the receiver's {@link ParkedLinks} like a backup source's, so it is pinged, kept while the sender's
 * {@link ReversePullService} answers, dropped when the sender goes silent, and no longer pinged once the mirror job
 * has taken it.
 */
class MirrorParkedKeepaliveTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final PeerIdentity DONOR = new PeerIdentity("donor");
    private static final PeerIdentity JOINER = new PeerIdentity("joiner");
    private static final Keepalive KEEPALIVE = new Keepalive(Duration.ofSeconds(30), Duration.ofSeconds(90));

    @TempDir
    Path dir;

    /** A link that notes the type of every frame it receives, in order. */
    private static final class Heard extends ForwardingLink {
        final List<Integer> types = new CopyOnWriteArrayList<>();

        Heard(Link link) {
            super(link);
        }

        @Override
        public Flux<Frame> receive() {
            return delegate().receive().doOnNext(f -> types.add(f.type()));
        }

        long count(int type) {
            return types.stream().filter(t -> t == type).count();
        }

        /** The types received after the first frame of type {@code first}; fails when none came. */
        List<Integer> after(int first) {
            int at = types.indexOf(first);
            assertTrue(at >= 0, "frame type " + first + " never came: " + types);
            return types.subList(at + 1, types.size());
        }
    }

    /** The receiver: a mirror job copy pulls job datadir from the sender 'donor', which dials in (reverse pull). */
    private static SluiceConfig joiner(MirrorPeers p) throws Exception {
        return p.side("joiner", "donor", "{pull: {job: datadir, reverse: donor, wait: 60s}}",
                p.dir.resolve("joiner/snaps"));
    }

    private static void advance(VirtualTimeScheduler vts, Duration step, int times) {
        for (int i = 0; i < times; i++) {
            vts.advanceTimeBy(step);
        }
    }

    @Test
    void aParkedMirrorLinkWhoseSenderVanishedIsDroppedAtTheReceiver() throws Exception {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        try (MirrorPeers p = new MirrorPeers(dir)) {
            ParkedLinks parked = new ParkedLinks(KEEPALIVE, vts);
            SluiceConfig joiner = joiner(p);
            PeerDispatcher receiver = new PeerDispatcher(null, null, parked, () -> joiner, p.log, vts);
            LocalLinks.Pair pair = LocalLinks.pair(JOINER, DONOR);
            // the sender announces its link and then never answers
            List<Integer> atDonor = ParkedKeepaliveTest.listen(pair.first(), false);
            receiver.serve(pair.second()).subscribe();
            pair.first().send(Flux.fromIterable(List.of(Frame.of(MessageType.READY.wire(),
                    DirectionCodec.ready(1))))).block(WAIT);
            assertEquals(1, parked.parked(DONOR), p.log());
            assertTrue(p.log().contains("peer.parked peer=donor"), p.log());
            vts.advanceTimeBy(Duration.ofSeconds(60));
            assertEquals(1, parked.parked(DONOR), "silent for 60 s: still parked");
            assertTrue(atDonor.contains(MessageType.PING.wire()), "the receiver pings a parked link: " + atDonor);
            vts.advanceTimeBy(Duration.ofSeconds(40));
            assertEquals(0, parked.parked(DONOR), "a sender silent for the limit is dropped");
            CloseReason why = pair.second().onClose().block(WAIT);
            assertNotNull(why);
            assertTrue(String.valueOf(why).contains("no PONG from donor for 90 s"), String.valueOf(why));
        }
    }

    @Test
    void aParkedMirrorLinkIsKeptWhileTheSenderAnswersAndNotPingedOnceTheJobTookIt() throws Exception {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        try (MirrorPeers p = new MirrorPeers(dir)) {
            ParkedLinks parked = new ParkedLinks(KEEPALIVE, vts);
            SluiceConfig joiner = joiner(p);
            PeerDispatcher receiver = new PeerDispatcher(null, null, parked, () -> joiner, p.log, vts);
            // the sender's snapshot.pre hook holds the run (after MIRROR_PULL, before OPEN) until the gate exists
            Path started = dir.resolve("started");
            Path gate = dir.resolve("gate");
            Path hold = dir.resolve("hold.sh");
            Files.writeString(hold, "#!/bin/sh\ntouch " + started + "\nwhile [ ! -e " + gate + " ]; do sleep 0.05;"
                    + " done\n");
            Files.setPosixFilePermissions(hold, PosixFilePermissions.fromString("rwxr-xr-x"));
            SluiceConfig donor = p.config("donor.yaml", """
                    global: {host: donor}
                    jobs:
                      - name: datadir
                        type: mirror
                        paths: [%s]
                        mirror: {reverse_pull: {tls: %s}}
                        hooks:
                          - {point: snapshot.pre, path: %s, timeout: 60s}
                    """.formatted(p.src, p.tls(1, "joiner", "donor"), hold));
            ConnectSpec dial = ((MirrorJobSpec) donor.job("datadir").orElseThrow().repository()).reversePull();
            Queue<Heard> atDonor = new ConcurrentLinkedQueue<>();
            Queue<Heard> atJoiner = new ConcurrentLinkedQueue<>();
            Connector inProcess = Connector.dialing("in-process receiver", () -> {
                LocalLinks.Pair pair = LocalLinks.pair(JOINER, DONOR);
                Heard joinerEnd = new Heard(pair.second());
                atJoiner.add(joinerEnd);
                receiver.serve(joinerEnd).subscribe();
                Heard donorEnd = new Heard(pair.first());
                atDonor.add(donorEnd);
                return donorEnd;
            });
            ReversePullService service = new ReversePullService(dial, inProcess, p.pulled(donor), p.log,
                    Schedulers.immediate(), vts, KEEPALIVE);
            service.start();
            CompletableFuture<MirrorJob.Outcome> run = null;
            try {
                assertEquals(1, parked.parked(DONOR), p.log());
                Heard donorEnd = atDonor.peek();
                Heard joinerEnd = atJoiner.peek();
                advance(vts, Duration.ofSeconds(30), 20);
                assertEquals(1, parked.parked(DONOR), "ten minutes of answered pings keep the link parked");
                assertEquals(1, service.dials(), "the sender heard pings all along and kept its link");
                long pings = donorEnd.count(MessageType.PING.wire());
                assertTrue(pings >= 19, "pings at the sender: " + donorEnd.types);
                assertEquals(pings, joinerEnd.count(MessageType.PONG.wire()), "each ping is answered: "
                        + joinerEnd.types);

                // the mirror job takes the link and sends MIRROR_PULL; the sender holds its answer in snapshot.pre
                run = CompletableFuture.supplyAsync(() -> p.mirrorJob(parked).run(MirrorJob.plan(
                        joiner.job("copy").orElseThrow(), dir), new Cancellation()));
                for (int i = 0; i < 1500 && Files.notExists(started) && !run.isDone(); i++) {
                    Thread.sleep(20);
                }
                assertTrue(Files.exists(started), "the sender's snapshot.pre hook did not start\n" + p.log());
                assertEquals(0, parked.parked(DONOR), "the mirror job took the parked link");
                advance(vts, Duration.ofSeconds(30), 20);
                Files.createFile(gate);
                MirrorJob.Outcome o = run.get(2, TimeUnit.MINUTES);
                assertEquals(0, o.status(), () -> "mirror job copy failed: " + o.failure() + "\n" + p.log());
                TreeAssert.assertSameTree(p.src, dir.resolve("joiner/snaps").resolve(o.received().finalTree()));

                assertEquals(pings, donorEnd.count(MessageType.PING.wire()), "a taken link is not pinged any more");
                assertFalse(donorEnd.after(MessageType.MIRROR_PULL.wire()).contains(MessageType.PING.wire()),
                        "no PING reaches the sender's mirror protocol: " + donorEnd.types);
                assertFalse(joinerEnd.after(MirrorMessage.OPEN.wire()).contains(MessageType.PONG.wire()),
                        "no PONG reaches the receiver's mirror protocol: " + joinerEnd.types);
            } finally {
                if (Files.notExists(gate)) {
                    Files.createFile(gate);
                }
                if (run != null) {
                    run.get(2, TimeUnit.MINUTES);
                }
                service.stop();
            }
        }
    }
}
