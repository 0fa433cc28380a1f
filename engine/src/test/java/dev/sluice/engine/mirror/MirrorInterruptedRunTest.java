package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.local.LocalLinks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** A link dropped in the middle of a snapshots run leaves the previous snapshot as it was and adds none. */
class MirrorInterruptedRunTest {
    @TempDir
    Path tmp;

    private final Scheduler io = Schedulers.newBoundedElastic(4, 1000, "mirror-killed");

    @AfterEach
    void stop() {
        io.dispose();
    }

    @Test
    void droppedLinkKeepsThePreviousSnapshotIntact() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        TreeFixture.create().file("small.txt", "first").randomFile("big.bin", 1 << 20, 3).materialise(src);
        Path target = tmp.resolve("target");
        MirrorRequest request = new MirrorRequest(List.of(src), ScanRules.all(), "t", MirrorOptions.Layout.SNAPSHOTS,
                true, false, false, 0);
        new LocalMirror(MirrorTestTargets.factory(), MirrorLimits.DEFAULT, io).run(request, target);
        Path copy = tmp.resolve("copy");
        Files.createDirectories(copy);
        TreeFixture.create().file("small.txt", "first").randomFile("big.bin", 1 << 20, 3).materialise(copy);

        Files.writeString(src.resolve("small.txt"), "second run");
        Files.write(src.resolve("huge.bin"), TreeFixture.random(48 << 20, 4));

        LocalLinks.Pair pair = LocalLinks.pair(LocalMirror.LOCAL, LocalMirror.LOCAL, LinkSpec.DEFAULT, 1);
        MirrorReceiver receiver = new MirrorReceiver(new MirrorPolicy(Map.of(LocalMirror.LOCAL, Map.of("t", target))),
                MirrorTestTargets.factory(), MirrorLimits.DEFAULT, io);
        Mono<CloseReason> served = receiver.serve(pair.second()).cache();
        served.subscribe(r -> { }, e -> { });
        CompletableFuture<Throwable> sent = CompletableFuture.supplyAsync(() -> {
            try {
                new MirrorSender().run(pair.first(), request);
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        List<Path> before = MirrorTestTargets.snapshots(target);
        assertEquals(1, before.size(), before.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (partialBytes(target) < (1 << 20) && System.nanoTime() < deadline && !sent.isDone()) {
            Thread.sleep(5);
        }
        assertFalse(sent.isDone(), "the run ended before the link could be dropped");
        pair.second().close(CloseReason.of(CloseReason.Code.PEER_GONE, "test drops the link"));

        Throwable failure = sent.get();
        assertNotNull(failure, "the sender must fail");
        assertTrue(failure.getMessage().contains("mirror receiver"), failure.toString());
        served.onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10));
        assertEquals(before, MirrorTestTargets.snapshots(target));
        TreeAssert.assertSameTree(copy, before.get(0), TreeAssert.Options.defaults().withRoot(false));
    }

    /** Bytes of files under the partial trees (names starting with a dot) of {@code target}. */
    private static long partialBytes(Path target) throws java.io.IOException {
        long total = 0;
        try (Stream<Path> s = Files.walk(target)) {
            for (Path p : s.toList()) {
                if (target.relativize(p).toString().startsWith(".") && Files.isRegularFile(p)) {
                    total += Files.size(p);
                }
            }
        }
        return total;
    }
}
