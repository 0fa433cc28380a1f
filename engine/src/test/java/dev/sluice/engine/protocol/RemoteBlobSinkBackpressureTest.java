package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/** A sink that stops answering stops the source's puts once the in-flight budget is used. */
class RemoteBlobSinkBackpressureTest {

    @Test
    void putsBlockWhenTheSinkDoesNotAnswer() throws Exception {
        LocalLinks.Pair pair = LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity("web-1"));
        // a sink that answers OPEN and then reads nothing more
        answerOpenThenReadNothing(pair);
        RemoteBlobSink remote = RemoteBlobSink.open(pair.first(), "home");
        int blob = 1 << 20;
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread putter = new Thread(() -> {
            try {
                for (int i = 0; i < 64; i++) {
                    byte[] raw = new byte[32];
                    raw[0] = (byte) i;
                    remote.put(BlobId.of(raw), BlobKind.DATA, new byte[blob]);
                    sent.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                ended.set(e);
            }
        }, "putter");
        putter.start();
        // wait (not a timing assertion: the deadline only bounds a broken run) until the putter is parked in put
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(putter.getState() == Thread.State.WAITING && sent.get() == RemoteBlobSink.PUT_BYTE_BUDGET / blob)
                && putter.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(RemoteBlobSink.PUT_BYTE_BUDGET / blob, sent.get(), "puts in flight are bounded by the budget");
        assertEquals(Thread.State.WAITING, putter.getState());

        pair.second().close(CloseReason.of(CloseReason.Code.SHUTDOWN, "test sink goes away"));
        putter.join(30_000);
        assertTrue(ended.get() instanceof IOException, "the blocked put fails when the link ends: " + ended.get());
        assertTrue(ended.get().getMessage().contains("test sink goes away"), ended.get().getMessage());
        remote.close();
    }

    /** A reference list is handed to the link part by part: a sink that reads nothing holds the source's list back. */
    @Test
    void aLongReferenceListWaitsForTheLinkInsteadOfQueueingWhole() throws Exception {
        LocalLinks.Pair pair = LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity("web-1"));
        answerOpenThenReadNothing(pair);
        RemoteBlobSink remote = RemoteBlobSink.open(pair.first(), "home");
        int perPart = RefsCodec.idsPerPart(pair.first().maxFrameLength());
        long total = 200L * perPart;
        AtomicLong taken = new AtomicLong();
        Iterator<BlobId> ids = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return taken.get() < total;
            }

            @Override
            public BlobId next() {
                byte[] raw = new byte[32];
                java.nio.ByteBuffer.wrap(raw).putLong(24, taken.getAndIncrement());
                return BlobId.of(raw);
            }
        };
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            try {
                remote.putRefs(ids);
            } catch (IOException | RuntimeException e) {
                ended.set(e);
            }
        }, "refs-sender");
        sender.start();
        // wait until the sender stops taking ids (not a timing assertion: the deadline only bounds a broken run)
        long deadline = System.nanoTime() + 30_000_000_000L;
        long seen = -1;
        while (taken.get() != seen && sender.isAlive() && System.nanoTime() < deadline) {
            seen = taken.get();
            Thread.sleep(200);
        }
        assertTrue(sender.isAlive(), "the sender finished or failed: " + ended.get());
        // bounded by the queue here plus what the link itself buffers (22 parts with the in-process link)
        assertTrue(taken.get() < 64L * perPart, "the list is held back, not queued whole: " + taken.get() / perPart
                + " of 200 parts taken");

        pair.second().close(CloseReason.of(CloseReason.Code.SHUTDOWN, "test sink goes away"));
        sender.join(30_000);
        assertTrue(ended.get() instanceof IOException, "the waiting list fails when the link ends: " + ended.get());
        remote.close();
    }

    /** The sink's end: answers OPEN and then requests no more frames. */
    private static void answerOpenThenReadNothing(LocalLinks.Pair pair) {
        pair.second().receive().subscribe(new BaseSubscriber<Frame>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                request(1);
            }

            @Override
            protected void hookOnNext(Frame f) {
                try {
                    int id = f.payload().getInt(f.payload().readerIndex());
                    pair.second().send(Flux.just(Frame.of(MessageType.OPENED.wire(), SessionCodec.idOnly(id))))
                            .subscribe(v -> { }, e -> { });
                } finally {
                    f.release();
                }
            }

            @Override
            protected void hookOnError(Throwable e) {
                // the test closes this end itself; the source side's failure is what is asserted
            }
        });
    }
}
