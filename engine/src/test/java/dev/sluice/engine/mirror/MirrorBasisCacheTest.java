package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.local.LocalLinks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Mirror runs with the receiver's {@link BasisCache}: a large file's chunk list is kept at commit and is what the next
 * run answers as BASIS (a tampered entry shows it), a changed target file is chunked again, and every run ends equal
 * to the source, in both layouts.
 */
class MirrorBasisCacheTest {
    @TempDir
    Path tmp;

    private final Scheduler io = Schedulers.newBoundedElastic(4, 1000, "mirror-cache");

    @AfterEach
    void stop() {
        io.dispose();
    }

    private MirrorResult run(Path src, Path target, MirrorOptions.Layout layout) throws IOException {
        LocalLinks.Pair pair = LocalLinks.pair(LocalMirror.LOCAL, LocalMirror.LOCAL);
        MirrorReceiver receiver = new MirrorReceiver(new MirrorPolicy(Map.of(LocalMirror.LOCAL, Map.of("t", target))),
                MirrorTestTargets.factory(), MirrorLimits.DEFAULT, io, Optional.of(tmp.resolve("cache")));
        Mono<CloseReason> served = receiver.serve(pair.second()).cache();
        served.subscribe(r -> { }, e -> { });
        try {
            return new MirrorSender().run(pair.first(), new MirrorRequest(List.of(src), ScanRules.all(), "t", layout,
                    true, false, false, 0));
        } finally {
            served.onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10));
        }
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> dirs = Files.list(tmp.resolve("cache/mirror/basis"))) {
            Path dir = dirs.findFirst().orElseThrow();
            try (Stream<Path> s = Files.list(dir)) {
                return s.filter(p -> p.getFileName().toString().contains("-")).toList();
            }
        }
    }

    private static void touch(Path file, long seconds) throws IOException {
        Files.setLastModifiedTime(file, FileTime.fromMillis(seconds * 1000));
    }

    private static Path newest(Path target, MirrorOptions.Layout layout) throws IOException {
        if (layout == MirrorOptions.Layout.IN_PLACE) {
            return target;
        }
        List<Path> s = MirrorTestTargets.snapshots(target);
        return s.get(s.size() - 1);
    }

    @Test
    void inPlace() throws Exception {
        runs(MirrorOptions.Layout.IN_PLACE);
    }

    @Test
    void snapshots() throws Exception {
        runs(MirrorOptions.Layout.SNAPSHOTS);
    }

    private void runs(MirrorOptions.Layout layout) throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        int size = 3 << 20;
        TreeFixture.create().file("small.txt", "small").randomFile("big.bin", size, 7).materialise(src);
        Path big = src.resolve("big.bin");
        Path target = tmp.resolve("target");

        MirrorResult first = run(src, target, layout);
        assertEquals(size + 5, first.literalBytes());
        assertEquals(1, entries().size(), "the large file's chunk list is kept, the small file's is not");
        TreeAssert.assertSameTree(src, newest(target, layout), TreeAssert.Options.defaults().withRoot(false));

        // a change in the middle: the cached list is the basis; little is sent
        try (FileChannel ch = FileChannel.open(big, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(TreeFixture.random(1000, 8)), size / 2);
        }
        touch(big, 1_000_000);
        MirrorResult second = run(src, target, layout);
        assertTrue(second.literalBytes() < 3 * 65536, "literal " + second.literalBytes());
        assertEquals(size - second.literalBytes(), second.copiedBytes());
        TreeAssert.assertSameTree(src, newest(target, layout), TreeAssert.Options.defaults().withRoot(false));
        assertEquals(1, entries().size(), "the replaced file's entry is pruned, the new one kept");

        // zero the hashes of the entry (with a valid checksum): the next run matches nothing, so the list came from
        // the cache, and the content is still right
        Path entry = entries().get(0);
        byte[] e = Files.readAllBytes(entry);
        int header = 4 + 1 + 8 + 5 * 8 + 4;
        for (int at = header; at < e.length - 32; at += 4 + MirrorCodec.HASH) {
            java.util.Arrays.fill(e, at + 4, at + 4 + MirrorCodec.HASH, (byte) 0);
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(e, 0, e.length - 32);
        System.arraycopy(sha.digest(), 0, e, e.length - 32, 32);
        Files.write(entry, e);
        touch(big, 2_000_000);
        MirrorResult third = run(src, target, layout);
        assertEquals(size, third.literalBytes(), "the tampered cached list was the basis");
        TreeAssert.assertSameTree(src, newest(target, layout), TreeAssert.Options.defaults().withRoot(false));

        // the target's file changed by someone else: its stamp differs, the list is computed from the file
        Path copy = newest(target, layout).resolve("big.bin");
        byte[] now = Files.readAllBytes(copy);
        Files.write(copy, now);
        touch(big, 3_000_000);
        MirrorResult fourth = run(src, target, layout);
        assertEquals(0, fourth.literalBytes());
        assertEquals(size, fourth.copiedBytes());
        TreeAssert.assertSameTree(src, newest(target, layout), TreeAssert.Options.defaults().withRoot(false));
    }
}
