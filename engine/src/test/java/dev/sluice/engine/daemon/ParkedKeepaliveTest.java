package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.Connector;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.protocol.DirectionCodec;
import dev.sluice.engine.protocol.Keepalive;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The keep-alive of parked reverse-pull links, on virtual time: the sink pings a parked link and drops it when its
 * source stops answering; the source answers PINGs and, when they stop coming, closes its link and dials again; and
 * reverse-pull services waiting at a sink leave the daemon's job threads free.
 */
class ParkedKeepaliveTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final PeerIdentity WEB_1 = new PeerIdentity("web-1");
    private static final PeerIdentity BACKUP_1 = new PeerIdentity("backup-1");
    private static final Keepalive KEEPALIVE = new Keepalive(Duration.ofSeconds(30), Duration.ofSeconds(90));

    @TempDir
    Path dir;

    /** Records the frame types {@code link} receives; answers each PING with PONG when {@code answer}. */
    static List<Integer> listen(Link link, boolean answer) {
        List<Integer> types = new CopyOnWriteArrayList<>();
        link.receive().subscribe(f -> {
            try {
                types.add(f.type());
                if (answer && f.type() == MessageType.PING.wire()) {
                    Keepalive.pong(link, f);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                f.release();
            }
        }, e -> types.add(-1));
        return types;
    }

    @Test
    void aParkedLinkWhoseSourceVanishedIsDroppedAtTheSink() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        ParkedLinks parked = new ParkedLinks(KEEPALIVE, vts);
        LocalLinks.Pair pair = LocalLinks.pair(BACKUP_1, WEB_1);
        List<Integer> atSource = listen(pair.first(), false);
        parked.park(pair.second()).subscribe();
        vts.advanceTimeBy(Duration.ofSeconds(60));
        assertEquals(1, parked.parked(WEB_1), "silent for 60 s: still parked");
        assertTrue(atSource.contains(MessageType.PING.wire()), "the sink pings a parked link: " + atSource);
        vts.advanceTimeBy(Duration.ofSeconds(40));
        assertEquals(0, parked.parked(WEB_1), "a source silent for the limit is dropped");
        CloseReason why = pair.second().onClose().block(WAIT);
        assertNotNull(why);
        assertTrue(String.valueOf(why).contains("no PONG from web-1 for 90 s"), String.valueOf(why));
    }

    @Test
    void aParkedLinkWhoseSourceAnswersStaysUntilAPullTakesIt() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        ParkedLinks parked = new ParkedLinks(KEEPALIVE, vts);
        LocalLinks.Pair pair = LocalLinks.pair(BACKUP_1, WEB_1);
        List<Integer> atSource = listen(pair.first(), true);
        parked.park(pair.second()).subscribe();
        for (int i = 0; i < 20; i++) {
            vts.advanceTimeBy(Duration.ofSeconds(30));
        }
        assertEquals(1, parked.parked(WEB_1), "ten minutes of answered pings keep the link parked");
        long pings = atSource.stream().filter(t -> t == MessageType.PING.wire()).count();
        assertTrue(pings >= 19, "pings seen: " + pings);
        ParkedLinks.Taken taken = parked.take(WEB_1, Duration.ofSeconds(1), vts).block(WAIT);
        assertNotNull(taken);
        assertEquals(0, parked.parked(WEB_1));
        for (int i = 0; i < 10; i++) {
            vts.advanceTimeBy(Duration.ofSeconds(30));
        }
        assertEquals(pings, atSource.stream().filter(t -> t == MessageType.PING.wire()).count(),
                "a taken link is not pinged any more");
        assertTrue(!taken.link().isClosed(), "a taken link is not closed for silence");
    }

    @Test
    void theSourceAnswersPingsAndDialsAgainWhenTheyStop() throws Exception {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        try (PullFixture f = new PullFixture(dir)) {
            SluiceConfig source = f.sourceConfig("{reverse_pull: {tls: {address: '127.0.0.1:1', server_name: backup-1,"
                    + " ca: ca, cert: c, key: k}}}");
            Queue<Link> sinkEnds = new ConcurrentLinkedQueue<>();
            Queue<List<Integer>> heard = new ConcurrentLinkedQueue<>();
            Connector inProcess = Connector.dialing("in-process sink", () -> {
                LocalLinks.Pair pair = LocalLinks.pair(BACKUP_1, WEB_1);
                heard.add(listen(pair.second(), false));
                sinkEnds.add(pair.second());
                return pair.first();
            });
            ReversePullService service = new ReversePullService(f.tls(1, "backup-1", "web-1"), inProcess,
                    f.pulled(source), f.log, Schedulers.immediate(), vts, KEEPALIVE);
            service.start();
            try {
                assertEquals(1, service.dials());
                Link sinkEnd = sinkEnds.peek();
                List<Integer> types = heard.peek();
                assertEquals(List.of(MessageType.READY.wire()), types);
                // a ping while parked is answered
                sinkEnd.send(Flux.fromIterable(List.of(Frame.of(MessageType.PING.wire(),
                        DirectionCodec.keepalive(7))))).block(WAIT);
                assertEquals(List.of(MessageType.READY.wire(), MessageType.PONG.wire()), types);
                vts.advanceTimeBy(Duration.ofSeconds(80));
                assertEquals(1, service.dials(), "80 s after the last ping the link is still trusted");
                // then the sink's pings stop (a NAT dropped the connection): the source gives up and dials again
                vts.advanceTimeBy(Duration.ofSeconds(30));
                CloseReason why = sinkEnd.onClose().block(WAIT);
                assertTrue(String.valueOf(why).contains("no PING from backup-1 for 90 s"), String.valueOf(why));
                vts.advanceTimeBy(ReversePullService.FIRST_BACKOFF);
                assertEquals(2, service.dials(), f.log());
                assertEquals(List.of(MessageType.READY.wire()), List.copyOf(heard).get(1), "the new link parks");
            } finally {
                service.stop();
            }
        }
    }

    @Test
    void sixteenParkedReversePullsLeaveTheJobThreadsFree() throws Exception {
        Scheduler jobThreads = Schedulers.newBoundedElastic(DaemonLauncher.MAX_CONCURRENT_JOBS, 64, "test-jobs");
        List<ReversePullService> services = new CopyOnWriteArrayList<>();
        try (PullFixture f = new PullFixture(dir)) {
            PeerDispatcher sink = f.sinkDispatcher(f.sinkConfig(), null);
            SluiceConfig source = f.sourceConfig("{reverse_pull: {tls: {address: '127.0.0.1:1', server_name: backup-1,"
                    + " ca: ca, cert: c, key: k}}}");
            Connector inProcess = Connector.dialing("in-process sink", () -> {
                LocalLinks.Pair pair = LocalLinks.pair(BACKUP_1, WEB_1);
                sink.serve(pair.second()).subscribe();
                return pair.first();
            });
            for (int i = 0; i < DaemonLauncher.MAX_CONCURRENT_JOBS; i++) {
                // the daemon's worst case: dials and timers on the job threads themselves
                ReversePullService s = new ReversePullService(f.tls(1000 + i, "backup-1", "web-1"), inProcess,
                        f.pulled(source), f.log, jobThreads, jobThreads, Keepalive.DEFAULT);
                services.add(s);
                s.start();
            }
            for (int i = 0; i < 1500 && f.parked.parked(WEB_1) < DaemonLauncher.MAX_CONCURRENT_JOBS; i++) {
                Thread.sleep(20);
            }
            assertEquals(DaemonLauncher.MAX_CONCURRENT_JOBS, f.parked.parked(WEB_1), f.log());
            // a local job still gets a job thread and runs to its end
            SluiceConfig local = f.sourceConfig(f.repo.repo().toString());
            RunReport report = Mono.fromCallable(() -> new BackupJobRunner(f.workers, f.clock, f.log,
                            java.util.Map.of()).run(local.job("home").orElseThrow(), local, p -> { },
                            new Cancellation()))
                    .subscribeOn(jobThreads).block(WAIT);
            assertNotNull(report);
            assertEquals(0, report.status(), () -> report.error() + "\n" + f.log());
        } finally {
            services.forEach(ReversePullService::stop);
            jobThreads.dispose();
        }
    }
}
