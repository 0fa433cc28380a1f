package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A hostile sender speaks raw frames to a {@link MirrorReceiver}: each broken rule gets an ERROR with its code, the
 * link is closed with the reason, and nothing is committed. Decoders are cut at every byte.
 */
class MirrorReceiverHostileTest {
    private static final PeerIdentity SENDER = new PeerIdentity("sender");
    private static final PeerIdentity RECEIVER = new PeerIdentity("receiver");
    /** A chunk hash for payloads whose digest is never sent (the test crafts a wrong one or none). */
    private static final ChunkHash ANY_HASH = new ChunkHash(new byte[ChunkHash.KEY_BYTES]);

    @TempDir
    Path tmp;

    private final Scheduler io = Schedulers.newBoundedElastic(4, 1000, "mirror-hostile");
    private Link sender;
    private Mono<CloseReason> served;
    private final BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private Path target;
    private MirrorReceiver receiver;

    @BeforeEach
    void start() {
        target = tmp.resolve("target");
        LocalLinks.Pair pair = LocalLinks.pair(RECEIVER, SENDER);
        sender = pair.first();
        receiver = new MirrorReceiver(new MirrorPolicy(Map.of(SENDER, Map.of("t", target))),
                MirrorTestTargets.factory(), new MirrorLimits(255, 4095, 64, 1000, 1 << 20, 4095), io);
        served = receiver.serve(pair.second()).cache();
        served.subscribe(r -> { }, e -> { });
        sender.receive().subscribe(f -> {
            byte[] b = new byte[f.payload().readableBytes()];
            f.payload().readBytes(b);
            f.release();
            answers.add(new Object[] {f.type(), b});
        }, e -> answers.add(e), () -> answers.add("end"));
    }

    @AfterEach
    void stop() {
        sender.close(CloseReason.normal());
        io.dispose();
    }

    private void send(MirrorMessage type, byte[] payload) {
        send(type.wire(), payload);
    }

    private void send(int type, byte[] payload) {
        sender.send(Flux.just(new Frame(type, Unpooled.wrappedBuffer(payload)))).block(Duration.ofSeconds(5));
    }

    private byte[] expect(MirrorMessage type) throws InterruptedException {
        Object o = answers.poll(5, TimeUnit.SECONDS);
        assertNotNull(o, "no answer");
        assertTrue(o instanceof Object[], "expected " + type + ", got " + o);
        Object[] f = (Object[]) o;
        assertEquals(type.wire(), f[0], "frame type");
        return (byte[]) f[1];
    }

    /** The next answer is an ERROR with {@code code}; the sender closes as a real one does, the run ends. */
    private String expectError(ErrorCode code) throws Exception {
        ErrorCodec.Error e = ErrorCodec.decode(expect(MirrorMessage.ERROR));
        assertEquals(code, e.code(), e.message());
        sender.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR, e.message()));
        CloseReason reason = served.block(Duration.ofSeconds(10));
        assertNotNull(reason);
        assertEquals(e.message(), reason.detail());
        return e.message();
    }

    /** As {@link #expectError}, but the sender stays silent: the receiver closes the link itself with the reason. */
    private String expectErrorAndClose(ErrorCode code) throws Exception {
        ErrorCodec.Error e = ErrorCodec.decode(expect(MirrorMessage.ERROR));
        assertEquals(code, e.code(), e.message());
        CloseReason reason = served.block(Duration.ofSeconds(10));
        assertNotNull(reason);
        assertEquals(e.message(), reason.detail());
        assertTrue(sender.onClose().block(Duration.ofSeconds(10)) != null);
        assertTrue(sender.isClosed(), "link closed");
        return e.message();
    }

    private MirrorCodec.Opened open() throws Exception {
        send(MirrorMessage.OPEN, MirrorCodec.open(new MirrorCodec.Open(MirrorCodec.VERSION, "t",
                MirrorOptions.Layout.SNAPSHOTS, false, false, false, 0, List.of())));
        MirrorCodec.Opened opened = MirrorCodec.decodeOpened(expect(MirrorMessage.OPENED));
        assertEquals(MirrorReceiver.MAX_FILES_IN_FLIGHT, opened.maxFilesInFlight());
        return opened;
    }

    /** Another sender's link to the same receiver: sends OPEN of target "t" and returns the first answer. */
    private Object[] openAnother(LocalLinks.Pair pair) throws InterruptedException {
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        receiver.serve(pair.second()).subscribe(r -> { }, e -> { });
        pair.first().receive().subscribe(f -> {
            byte[] b = new byte[f.payload().readableBytes()];
            f.payload().readBytes(b);
            f.release();
            got.add(new Object[] {f.type(), b});
        }, e -> got.add(e), () -> got.add("end"));
        pair.first().send(Flux.just(new Frame(MirrorMessage.OPEN.wire(), Unpooled.wrappedBuffer(MirrorCodec.open(
                new MirrorCodec.Open(MirrorCodec.VERSION, "t", MirrorOptions.Layout.SNAPSHOTS, false, false, false, 0,
                        List.of())))))).block(Duration.ofSeconds(5));
        Object o = got.poll(5, TimeUnit.SECONDS);
        assertTrue(o instanceof Object[], "no answer to the second OPEN: " + o);
        return (Object[]) o;
    }

    /** One run per target: a second run is refused before it touches the target, and goes once the first ended. */
    @Test
    void aSecondRunIntoATargetInUseIsRefusedUntilTheFirstHasEnded() throws Exception {
        open();
        LocalLinks.Pair second = LocalLinks.pair(RECEIVER, SENDER);
        Object[] answer = openAnother(second);
        assertEquals(MirrorMessage.ERROR.wire(), answer[0]);
        ErrorCodec.Error e = ErrorCodec.decode((byte[]) answer[1]);
        assertEquals(ErrorCode.REFUSED, e.code());
        assertTrue(e.message().contains("target 't' is busy: a run from peer 'sender' since"), e.message());
        second.first().close(CloseReason.normal());
        try (var names = Files.list(target)) {
            assertEquals(1, names.filter(n -> n.getFileName().toString().startsWith(".partial-")).count(),
                    "the first run's partial tree is still there");
        }

        sender.close(CloseReason.normal());
        served.block(Duration.ofSeconds(10));
        LocalLinks.Pair third = LocalLinks.pair(RECEIVER, SENDER);
        assertEquals(MirrorMessage.OPENED.wire(), openAnother(third)[0], "the target is free once the first run ended");
        third.first().close(CloseReason.normal());
    }

    /** A run of another process (one with the same cache root) is seen through the target's lock file. */
    @Test
    void aTargetAnotherProcessIsWritingIsRefusedUntilThatProcessEnds() throws Exception {
        Path cache = tmp.resolve("cache");
        receiver = new MirrorReceiver(new MirrorPolicy(Map.of(SENDER, Map.of("t", target))),
                MirrorTestTargets.factory(), new MirrorLimits(255, 4095, 64, 1000, 1 << 20, 4095), io,
                java.util.Optional.of(cache));
        Files.createDirectories(target);
        Process other = TargetLockTest.holdInChild(TargetLock.file(cache, target.toRealPath()),
                "a run from peer 'x' since then in process 7");
        try {
            LocalLinks.Pair second = LocalLinks.pair(RECEIVER, SENDER);
            Object[] answer = openAnother(second);
            assertEquals(MirrorMessage.ERROR.wire(), answer[0]);
            ErrorCodec.Error e = ErrorCodec.decode((byte[]) answer[1]);
            assertEquals(ErrorCode.REFUSED, e.code());
            assertTrue(e.message().contains("target 't' is busy: a run from peer 'x' since then in process 7 is still"
                    + " writing it"), e.message());
            second.first().close(CloseReason.normal());
            try (var names = Files.list(target)) {
                assertEquals(0, names.count(), "nothing in the target was touched");
            }
        } finally {
            TargetLockTest.end(other);
        }
        LocalLinks.Pair third = LocalLinks.pair(RECEIVER, SENDER);
        assertEquals(MirrorMessage.OPENED.wire(), openAnother(third)[0], "the target is free once the other ended");
        third.first().close(CloseReason.normal());
    }

    private static FileMeta file(long size) {
        return new FileMeta(FileKind.REGULAR, 0644, 0, 0, size, 1_000_000_000L, 1_000_000_000L, 0, 0, 0, 1, 0, null,
                List.of());
    }

    private static FileMeta dir() {
        return new FileMeta(FileKind.DIRECTORY, 0755, 0, 0, 0, 1_000_000_000L, 1_000_000_000L, 0, 0, 0, 1, 0, null,
                List.of());
    }

    private static byte[] raw(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void entryBeforeOpenIsNotOpen() throws Exception {
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(0, raw("a"), dir(), null)));
        expectError(ErrorCode.NOT_OPEN);
    }

    @Test
    void aTargetNotConfiguredForThePeerIsNotAllowed() throws Exception {
        send(MirrorMessage.OPEN, MirrorCodec.open(new MirrorCodec.Open(MirrorCodec.VERSION, "other",
                MirrorOptions.Layout.IN_PLACE, false, false, false, 0, List.of())));
        assertTrue(expectError(ErrorCode.JOB_NOT_ALLOWED).contains("'other'"));
        assertFalse(Files.exists(target));
    }

    @Test
    void aSenderOfTheFirstProtocolVersionIsRefusedByName() throws Exception {
        // version 1 hashed literal runs with SHA-256: its digests would fail every file, so it is refused up front
        send(MirrorMessage.OPEN, MirrorCodec.open(new MirrorCodec.Open(1, "t", MirrorOptions.Layout.IN_PLACE, false,
                false, false, 0, List.of())));
        String message = expectError(ErrorCode.REFUSED);
        assertTrue(message.contains("version 1") && message.contains("version " + MirrorCodec.VERSION), message);
        assertFalse(Files.exists(target));
    }

    @Test
    void unknownFrameTypeEndsTheRun() throws Exception {
        open();
        send(999, new byte[] {1, 2, 3});
        expectErrorAndClose(ErrorCode.UNKNOWN_MESSAGE);
        assertTrue(sender.onClose().block(Duration.ofSeconds(10)).byPeer(), "the receiver closed the link");
    }

    @Test
    void anAnswerTypeFromTheSenderEndsTheRun() throws Exception {
        open();
        send(MirrorMessage.BASIS, MirrorCodec.basis(1, true, new int[0], new byte[0], 0, 0));
        expectError(ErrorCode.UNKNOWN_MESSAGE);
    }

    @Test
    void dotDotPathReachesTheTargetsRefusal() throws Exception {
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(0, raw("a/../../outside"), dir(), null)));
        assertTrue(expectError(ErrorCode.REFUSED).contains(".."));
        assertFalse(Files.exists(tmp.resolve("outside")));
    }

    @Test
    void absolutePathIsRefused() throws Exception {
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(1, raw("/etc/passwd"), file(1), null)));
        expectError(ErrorCode.REFUSED);
    }

    @Test
    void deltaWithAHugeOperationCountIsMalformedBeforeAnyAllocation() throws Exception {
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(1, raw("f"), file(10), null)));
        expect(MirrorMessage.BASIS);
        send(MirrorMessage.DELTA, ByteBuffer.allocate(9).putInt(1).putInt(Integer.MAX_VALUE).put((byte) 2).array());
        assertTrue(expectError(ErrorCode.MALFORMED).contains("does not fit"));
    }

    @Test
    void dataLengthBeyondThePayloadIsMalformed() throws Exception {
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(1, raw("f"), file(10), null)));
        expect(MirrorMessage.BASIS);
        send(MirrorMessage.DELTA, ByteBuffer.allocate(16).putInt(1).putInt(1).put((byte) 2).putInt(1 << 30)
                .array());
        expectError(ErrorCode.MALFORMED);
    }

    @Test
    void copyWithoutABasisIsMalformed() throws Exception {
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(1, raw("f"), file(10), null)));
        expect(MirrorMessage.BASIS);
        send(MirrorMessage.DELTA, ByteBuffer.allocate(21).putInt(1).putInt(1).put((byte) 1).putLong(0).putInt(10)
                .array());
        assertTrue(expectError(ErrorCode.MALFORMED).contains("no basis"));
    }

    @Test
    void aCopyThatDoesNotFollowTheBasisChunksIsMalformed() throws Exception {
        Path previous = target.resolve("2000-01-01T000000Z");
        Files.createDirectories(previous);
        Files.write(previous.resolve("f"), dev.sluice.engine.fs.TreeFixture.random(200_000, 3));
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(1, raw("f"), file(200_000), null)));
        MirrorCodec.BasisPart basis = MirrorCodec.decodeBasis(expect(MirrorMessage.BASIS));
        assertTrue(basis.last() && basis.lengths().length > 1, "a basis of several chunks");
        int first = basis.lengths()[0];
        send(MirrorMessage.DELTA, ByteBuffer.allocate(21).putInt(1).putInt(1).put((byte) 1).putLong(1).putInt(first)
                .array());
        assertTrue(expectError(ErrorCode.MALFORMED).contains("chunks of its basis"));
    }

    @Test
    void aFileBeyondTheSizeLimitIsRefused() throws Exception {
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(1, raw("f"), file(2 << 20), null)));
        expectError(ErrorCode.REFUSED);
    }

    @Test
    void dataBeyondTheSizeLimitIsRefused() throws Exception {
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(1, raw("f"), file(10), null)));
        expect(MirrorMessage.BASIS);
        byte[] big = new byte[600_000];
        MirrorCodec.DeltaWriter w = new MirrorCodec.DeltaWriter(1, 1 << 20, new ContentDigest(ANY_HASH));
        List<byte[]> ready = new ArrayList<>();
        w.data(big, 0, big.length, ready);
        w.finish(ready);
        send(MirrorMessage.DELTA, ready.get(0));
        send(MirrorMessage.DELTA, ready.get(0));
        assertTrue(expectError(ErrorCode.REFUSED).contains("limit"));
    }

    @Test
    void aWrongWholeFileHashCommitsNothing() throws Exception {
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(1, raw("f"), file(3), null)));
        expect(MirrorMessage.BASIS);
        MirrorCodec.DeltaWriter w = new MirrorCodec.DeltaWriter(1, 1 << 20, new ContentDigest(ANY_HASH));
        List<byte[]> ready = new ArrayList<>();
        w.data(new byte[] {1, 2, 3}, 0, 3, ready);
        w.finish(ready);
        send(MirrorMessage.DELTA, ready.get(0));
        send(MirrorMessage.FILE_END, MirrorCodec.fileEnd(new MirrorCodec.FileEnd(1, true, 3, new byte[32])));
        assertTrue(expectError(ErrorCode.REFUSED).contains("SHA-256"));
        assertEquals(List.of(), MirrorTestTargets.snapshots(target), "no snapshot was completed");
    }

    @Test
    void aSharedPathPrefixLongerThanThePreviousPathIsMalformed() throws Exception {
        open();
        // one entry: file id 0, shares 5 bytes with a previous path that does not exist
        send(MirrorMessage.ENTRY, new byte[] {0, 0, 1, 0, 5, 1, 'a', 2, 0});
        assertTrue(expectError(ErrorCode.MALFORMED).contains("shared path bytes"));
    }

    @Test
    void anOverlongVarintIsMalformed() throws Exception {
        open();
        byte[] msg = new byte[15];
        msg[2] = 1;
        java.util.Arrays.fill(msg, 3, 15, (byte) 0xff);
        send(MirrorMessage.ENTRY, msg);
        assertTrue(expectError(ErrorCode.MALFORMED).contains("varint"));
    }

    @Test
    void aPathBeyondTheReceiversLimitIsMalformedBeforeItIsRead() throws Exception {
        open();
        send(MirrorMessage.ENTRY, new byte[] {0, 0, 1, 0, 0, (byte) 0xff, (byte) 0xff, 3});
        assertTrue(expectError(ErrorCode.MALFORMED).contains("exceeds"));
    }

    @Test
    void aCompressedBatchAnnouncingMoreThanTheLimitIsMalformed() throws Exception {
        open();
        send(MirrorMessage.ENTRY, ByteBuffer.allocate(9).put((byte) 1).putInt(1 << 30).putInt(0).array());
        assertTrue(expectError(ErrorCode.MALFORMED).contains("at most"));
    }

    @Test
    void aCompressedBatchThatDoesNotDecompressToItsLengthIsMalformed() throws Exception {
        open();
        byte[] raw = new byte[1000];
        byte[] packed = com.github.luben.zstd.Zstd.compress(raw, 3);
        send(MirrorMessage.ENTRY, ByteBuffer.allocate(5 + packed.length).put((byte) 1).putInt(999).put(packed)
                .array());
        assertTrue(expectError(ErrorCode.MALFORMED).contains("decompress"));
    }

    @Test
    void fileIdsMustCountUp() throws Exception {
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(7, raw("f"), file(3), null)));
        expectError(ErrorCode.MALFORMED);
    }

    @Test
    void endWithFilesUnfinishedIsMalformed() throws Exception {
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(1, raw("f"), file(3), null)));
        expect(MirrorMessage.BASIS);
        send(MirrorMessage.END, MirrorCodec.end(1));
        expectError(ErrorCode.MALFORMED);
        assertEquals(List.of(), MirrorTestTargets.snapshots(target));
    }

    @Test
    void hardlinkToAFileStillArrivingIsRefused() throws Exception {
        open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(1, raw("f"), file(3), null)));
        expect(MirrorMessage.BASIS);
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(0, raw("g"), file(3), raw("f"))));
        expectError(ErrorCode.MALFORMED);
    }

    /** The size of {@code f} in the previous snapshot: large enough for its copies to be made beside. */
    private static final int LARGE = 1 << 20;

    /**
     * Makes a previous snapshot whose file {@code f} of {@link #LARGE} random bytes (returned in {@code old[0]}) is
     * the basis of the next run, opens that run, announces {@code f}, reads its basis list and sends it as one COPY
     * of the whole basis; returns the FILE_END an honest sender sends after that.
     */
    private byte[] copyTheWholeLargeBasis(byte[][] old) throws Exception {
        assertTrue(LARGE >= MirrorReceiver.COPY_BESIDE_MIN, "copies of this basis are made beside");
        Path previous = target.resolve("2000-01-01T000000Z");
        Files.createDirectories(previous);
        old[0] = dev.sluice.engine.fs.TreeFixture.random(LARGE, 11);
        Files.write(previous.resolve("f"), old[0]);
        MirrorCodec.Opened opened = open();
        send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(1, raw("f"), file(LARGE), null)));
        ContentDigest digest = new ContentDigest(new ChunkHash(opened.hashKey()));
        long listed = 0;
        MirrorCodec.BasisPart part;
        do {
            part = MirrorCodec.decodeBasis(expect(MirrorMessage.BASIS));
            for (int i = 0; i < part.lengths().length; i++) {
                digest.chunk(part.hashes(), i * MirrorCodec.HASH, part.lengths()[i]);
                listed += part.lengths()[i];
            }
        } while (!part.last());
        assertEquals(LARGE, listed, "the basis list covers the basis");
        send(MirrorMessage.DELTA, ByteBuffer.allocate(21).putInt(1).putInt(1).put((byte) MirrorCodec.OP_COPY)
                .putLong(0).putInt(LARGE).array());
        return MirrorCodec.fileEnd(new MirrorCodec.FileEnd(1, true, LARGE, digest.finish()));
    }

    @Test
    void aFileCopiedBesideTheFrameThreadIsCommittedAndAnsweredBeforeDone() throws Exception {
        byte[][] old = new byte[1][];
        send(MirrorMessage.FILE_END, copyTheWholeLargeBasis(old));
        // END right behind FILE_END, while the copy may still be running: DONE waits for the commit
        send(MirrorMessage.END, MirrorCodec.end(1));
        int[] done = MirrorCodec.decodeFileDone(expect(MirrorMessage.FILE_DONE));
        assertEquals(List.of(1, MirrorCodec.WRITTEN), Arrays.stream(done).boxed().toList());
        assertEquals(1, MirrorCodec.decodeDone(expect(MirrorMessage.DONE)).filesWritten());
        List<Path> snapshots = MirrorTestTargets.snapshots(target);
        assertEquals(2, snapshots.size(), "a new snapshot beside the previous one");
        assertTrue(Arrays.equals(old[0], Files.readAllBytes(snapshots.get(1).resolve("f"))), "the copy is complete");
        assertTrue(Arrays.equals(old[0], Files.readAllBytes(snapshots.get(0).resolve("f"))));
    }

    @Test
    void aBasisChangedBeforeItsCopyBesideIsMadeCommitsNothing() throws Exception {
        byte[] fileEnd = copyTheWholeLargeBasis(new byte[1][]);
        // someone else writes to the receiver's copy after it listed its chunks
        Path basis = target.resolve("2000-01-01T000000Z").resolve("f");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(basis,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 1000);
        }
        Files.setLastModifiedTime(basis, java.nio.file.attribute.FileTime.fromMillis(5_000_000_000L));
        send(MirrorMessage.FILE_END, fileEnd);
        assertTrue(expectError(ErrorCode.REFUSED).contains("changed by someone else"));
        assertEquals(List.of(target.resolve("2000-01-01T000000Z")), MirrorTestTargets.snapshots(target),
                "no new snapshot");
    }

    @Test
    void aSenderLeavingWhileACopyIsMadeBesideCommitsNothing() throws Exception {
        byte[][] old = new byte[1][];
        send(MirrorMessage.FILE_END, copyTheWholeLargeBasis(old));
        sender.close(CloseReason.normal());
        served.block(Duration.ofSeconds(10));
        Path previous = target.resolve("2000-01-01T000000Z");
        assertEquals(List.of(previous), MirrorTestTargets.snapshots(target), "no new snapshot");
        assertTrue(Arrays.equals(old[0], Files.readAllBytes(previous.resolve("f"))));
    }

    @Test
    void moreFilesInFlightThanOpenedAnnouncedIsRefused() throws Exception {
        open();
        int limit = MirrorReceiver.MAX_FILES_IN_FLIGHT;
        for (int id = 1; id <= limit + 1; id++) {
            send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(id, raw(String.format("f%04d", id)),
                    file(3), null)));
        }
        for (int i = 0; i < limit; i++) {
            expect(MirrorMessage.BASIS);
        }
        assertTrue(expectError(ErrorCode.REFUSED).contains("files in flight"));
    }

    @Test
    void fileDonesHeldForABurstAllArriveOnceAndBeforeDone() throws Exception {
        MirrorCodec.Opened opened = open();
        int files = 40;
        // a burst: every file's ENTRY, DATA and FILE_END sent without waiting for any answer
        for (int id = 1; id <= files; id++) {
            byte[] content = {(byte) id, 2, 3};
            send(MirrorMessage.ENTRY, MirrorCodec.entry(new MirrorCodec.Entry(id, raw(String.format("f%02d", id)), file(3), null)));
            ContentDigest digest = new ContentDigest(new ChunkHash(opened.hashKey()));
            MirrorCodec.DeltaWriter w = new MirrorCodec.DeltaWriter(id, 1 << 20, digest);
            List<byte[]> ready = new ArrayList<>();
            w.data(content, 0, 3, ready);
            w.finish(ready);
            send(MirrorMessage.DELTA, ready.get(0));
            send(MirrorMessage.FILE_END, MirrorCodec.fileEnd(new MirrorCodec.FileEnd(id, true, 3, digest.finish())));
        }
        send(MirrorMessage.END, MirrorCodec.end(files));
        List<Integer> done = new ArrayList<>();
        while (true) {
            Object o = answers.poll(5, TimeUnit.SECONDS);
            assertNotNull(o, "no DONE; FILE_DONE so far for " + done);
            assertTrue(o instanceof Object[], "the run ended: " + o + "; FILE_DONE so far for " + done);
            Object[] f = (Object[]) o;
            if ((int) f[0] == MirrorMessage.ERROR.wire()) {
                throw new AssertionError(ErrorCodec.decode((byte[]) f[1]).message());
            }
            if ((int) f[0] == MirrorMessage.DONE.wire()) {
                break;
            }
            if ((int) f[0] == MirrorMessage.FILE_DONE.wire()) {
                int[] pairs = MirrorCodec.decodeFileDone((byte[]) f[1]);
                for (int i = 0; i < pairs.length; i += 2) {
                    assertEquals(MirrorCodec.WRITTEN, pairs[i + 1]);
                    done.add(pairs[i]);
                }
            }
        }
        assertEquals(java.util.stream.IntStream.rangeClosed(1, files).boxed().toList(),
                done.stream().sorted().toList(), "each file's FILE_DONE once, all before DONE");
        Path snapshot = MirrorTestTargets.snapshots(target).get(0);
        assertTrue(Arrays.equals(new byte[] {7, 2, 3}, Files.readAllBytes(snapshot.resolve("f07"))));
    }

    @Test
    void everyDecoderRefusesEveryTruncationAsMalformed() throws IOException {
        List<byte[]> messages = List.of(
                MirrorCodec.entry(new MirrorCodec.Entry(0, raw("dir"), dir(), null),
                        new MirrorCodec.Entry(1, raw("dir/f"), file(3), null)),
                MirrorCodec.open(new MirrorCodec.Open(MirrorCodec.VERSION, "t", MirrorOptions.Layout.IN_PLACE, true,
                        true, false, 3, List.of(raw("*.tmp")))),
                MirrorCodec.fileEnd(new MirrorCodec.FileEnd(1, true, 3, new byte[32])),
                MirrorCodec.end(4),
                MirrorCodec.opened(new MirrorCodec.Opened(256, new byte[ChunkHash.KEY_BYTES])),
                MirrorCodec.basis(1, true, new int[] {4096, 70}, new byte[2 * MirrorCodec.HASH], 0, 2));
        for (int m = 0; m < messages.size(); m++) {
            byte[] whole = messages.get(m);
            for (int cut = 0; cut < whole.length; cut++) {
                byte[] part = Arrays.copyOf(whole, cut);
                int which = m;
                ProtocolException e = assertThrows(ProtocolException.class, () -> decode(which, part),
                        "message " + m + " cut at " + cut);
                assertEquals(ErrorCode.MALFORMED, e.code(), e.getMessage());
            }
            byte[] longer = Arrays.copyOf(whole, whole.length + 1);
            int which = m;
            assertThrows(ProtocolException.class, () -> decode(which, longer), "message " + m + " with a byte more");
            decode(m, whole);
        }
    }

    @Test
    void aBasisChunkLongerThanTheChunkerMakesIsMalformedAtTheSender() {
        for (int length : new int[] {0, MirrorChunking.PARAMS.max() + 1, -1}) {
            byte[] part = MirrorCodec.basis(1, true, new int[] {length}, new byte[MirrorCodec.HASH], 0, 1);
            ProtocolException e = assertThrows(ProtocolException.class, () -> MirrorCodec.decodeBasis(part));
            assertEquals(ErrorCode.MALFORMED, e.code(), e.getMessage());
        }
    }

    private static void decode(int which, byte[] b) throws IOException {
        switch (which) {
            case 0 -> new MirrorCodec.EntryReader(4095).decode(b);
            case 1 -> MirrorCodec.decodeOpen(b);
            case 2 -> MirrorCodec.decodeFileEnd(b);
            case 3 -> MirrorCodec.decodeEnd(b);
            case 4 -> MirrorCodec.decodeOpened(b);
            default -> MirrorCodec.decodeBasis(b);
        }
    }
}
