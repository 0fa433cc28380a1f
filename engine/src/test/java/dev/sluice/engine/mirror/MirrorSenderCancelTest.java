package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.ForwardingLink;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.local.LocalLinks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@link MirrorSender#cancel}: a cancel in the middle of a run reaches the receiver as exactly one ERROR with the
 * reason (however often it is called) and the previous snapshot stays the only one; a cancel right after DONE (the
 * sender's close of the link held until it has run) leaves the completed run completed and sends nothing.
 */
class MirrorSenderCancelTest {
    @TempDir
    Path tmp;

    private final Scheduler io = Schedulers.newBoundedElastic(4, 1000, "mirror-cancel");
    private Path src;
    private Path target;
    private MirrorRequest request;

    @BeforeEach
    void firstSnapshot() throws IOException {
        src = Files.createDirectories(tmp.resolve("src"));
        TreeFixture.kitchenSink(5).randomFile("big.bin", 1 << 20, 6).materialise(src);
        target = tmp.resolve("target");
        request = new MirrorRequest(List.of(src), ScanRules.all(), "t", MirrorOptions.Layout.SNAPSHOTS, true, false,
                false, 0);
        new LocalMirror(MirrorTestTargets.factory(), MirrorLimits.DEFAULT, io).run(request, target);
    }

    @AfterEach
    void stop() {
        io.dispose();
    }

    @Test
    void aCancelMidRunSendsOneErrorWithTheReasonAndKeepsThePreviousSnapshot() throws Exception {
        List<Path> before = MirrorTestTargets.snapshots(target);
        Files.writeString(src.resolve("changed.txt"), "only in the second run");
        MirrorSender sender = new MirrorSender();
        Run run = run(MirrorMessage.OPENED, () -> {
            sender.cancel("the test cancels the sender");
            sender.cancel("a second cancel");
        });

        IOException failure = assertThrows(IOException.class, () -> sender.run(run.link, request));
        assertEquals("the test cancels the sender", failure.getMessage());
        CloseReason served = run.served.block(Duration.ofSeconds(30));
        // the ERROR's code is CANCELLED: the receiver says so, and ends with an application error, not a protocol one
        assertTrue(String.valueOf(served).contains("the sender cancelled the run: the test cancels the sender"),
                String.valueOf(served));
        assertEquals(CloseReason.Code.APPLICATION_ERROR, served.code(), String.valueOf(served));
        assertEquals(1, run.link.errors.get(), "ERROR frames sent");
        assertEquals(before, MirrorTestTargets.snapshots(target));
        Files.delete(src.resolve("changed.txt"));
        TreeAssert.assertSameTree(src, before.get(0), TreeAssert.Options.defaults().withRoot(false));
    }

    @Test
    void aCancelAfterDoneLeavesTheRunCompleted() throws Exception {
        Files.writeString(src.resolve("changed.txt"), "only in the second run");
        MirrorSender sender = new MirrorSender();
        Run run = run(MirrorMessage.DONE, () -> sender.cancel("too late"));

        MirrorResult result = sender.run(run.link, request);
        CloseReason served = run.served.block(Duration.ofSeconds(30));
        assertEquals(CloseReason.Code.NORMAL, served.code(), String.valueOf(served));
        assertEquals(0, run.link.errors.get(), "ERROR frames sent");
        List<Path> after = MirrorTestTargets.snapshots(target);
        assertEquals(2, after.size(), after.toString());
        assertEquals(result.receiver().finalTree(), after.get(1).getFileName().toString());
        TreeAssert.assertSameTree(src, after.get(1), TreeAssert.Options.defaults().withRoot(false));
    }

    /** A run's sender end and what the receiver's {@code serve} ended with. */
    private record Run(Watched link, Mono<CloseReason> served) {
    }

    /** A receiver serving into {@code target}, and the sender's end, which runs {@code then} after {@code at}. */
    private Run run(MirrorMessage at, Runnable then) {
        LocalLinks.Pair pair = LocalLinks.pair(LocalMirror.LOCAL, LocalMirror.LOCAL);
        MirrorReceiver receiver = new MirrorReceiver(new MirrorPolicy(Map.of(LocalMirror.LOCAL, Map.of("t", target))),
                MirrorTestTargets.factory(), MirrorLimits.DEFAULT, io);
        Mono<CloseReason> served = receiver.serve(pair.second()).cache();
        served.subscribe(r -> { }, e -> { });
        return new Run(new Watched(pair.first(), at, then), served);
    }

    /**
     * The sender's end of the link: counts the ERROR frames sent, and runs {@code then} once the sender has handled
     * the receiver's {@code at} message; the sender cannot close the link before {@code then} has run.
     */
    private static final class Watched extends ForwardingLink {
        final AtomicInteger errors = new AtomicInteger();
        private final MirrorMessage at;
        private final Runnable then;
        private final CountDownLatch ran = new CountDownLatch(1);

        Watched(Link link, MirrorMessage at, Runnable then) {
            super(link);
            this.at = at;
            this.then = () -> {
                then.run();
                ran.countDown();
            };
        }

        @Override
        public void close(CloseReason reason) {
            try {
                assertTrue(ran.await(30, TimeUnit.SECONDS), "the sender closed the link before the test's step ran");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while holding the close of the link", e);
            }
            super.close(reason);
        }

        @Override
        public Mono<Void> send(Publisher<Frame> frames) {
            return super.send(Flux.from(frames).doOnNext(f -> {
                if (f.type() == MirrorMessage.ERROR.wire()) {
                    errors.incrementAndGet();
                }
            }));
        }

        @Override
        public Flux<Frame> receive() {
            return super.receive().concatMap(f -> f.type() == at.wire()
                    ? Flux.just(f).concatWith(Mono.fromRunnable(then)) : Flux.just(f));
        }
    }
}
