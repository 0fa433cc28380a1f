package dev.sluice.engine.protocol;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A link that counts the sealed bytes of the PUT frames sent through it and can cut itself after some of them. */
final class RecordingLink implements Link {
    private final Link delegate;
    private final long cutAfterPutBytes;
    final AtomicLong dataPutBytes = new AtomicLong();
    final AtomicLong treePutBytes = new AtomicLong();
    final AtomicLong puts = new AtomicLong();
    /** HAS messages sent (one per batch of up to 4096 ids). */
    final AtomicLong hasRequests = new AtomicLong();
    /** GET_BLOB, PUT_REFS and PUT_REFS_DELTA messages sent. */
    final AtomicLong getBlobs = new AtomicLong();
    final AtomicLong refsParts = new AtomicLong();
    final AtomicLong refsDeltaParts = new AtomicLong();
    /** Payload bytes of PUT_REFS and PUT_REFS_DELTA messages sent. */
    final AtomicLong refsBytes = new AtomicLong();
    /** READ_BLOBs sent and not yet answered (BLOB or ERROR), and the most there ever were. */
    final AtomicLong readsInFlight = new AtomicLong();
    final AtomicLong maxReadsInFlight = new AtomicLong();

    RecordingLink(Link delegate, long cutAfterPutBytes) {
        this.delegate = delegate;
        this.cutAfterPutBytes = cutAfterPutBytes;
    }

    RecordingLink(Link delegate) {
        this(delegate, Long.MAX_VALUE);
    }

    @Override
    public Mono<Void> send(Publisher<Frame> frames) {
        return delegate.send(Flux.from(frames).doOnNext(f -> {
            if (f.type() == MessageType.HAS.wire()) {
                hasRequests.incrementAndGet();
            }
            if (f.type() == MessageType.GET_BLOB.wire()) {
                getBlobs.incrementAndGet();
            }
            if (f.type() == MessageType.PUT_REFS.wire() || f.type() == MessageType.PUT_REFS_DELTA.wire()) {
                (f.type() == MessageType.PUT_REFS.wire() ? refsParts : refsDeltaParts).incrementAndGet();
                refsBytes.addAndGet(f.payload().readableBytes());
            }
            if (f.type() == MessageType.READ_BLOB.wire()) {
                maxReadsInFlight.accumulateAndGet(readsInFlight.incrementAndGet(), Math::max);
            }
            if (f.type() == MessageType.PUT.wire()) {
                long sealed = f.payload().readableBytes() - PutCodec.OVERHEAD;
                byte kind = f.payload().getByte(f.payload().readerIndex() + 4);
                (kind == 1 ? dataPutBytes : treePutBytes).addAndGet(sealed);
                puts.incrementAndGet();
                if (dataPutBytes.get() >= cutAfterPutBytes && !delegate.isClosed()) {
                    delegate.close(CloseReason.of(CloseReason.Code.TRANSPORT_ERROR, "the test cut the link"));
                }
            }
        }));
    }

    @Override
    public PeerIdentity peer() {
        return delegate.peer();
    }

    @Override
    public int maxFrameLength() {
        return delegate.maxFrameLength();
    }

    @Override
    public Flux<Frame> receive() {
        return delegate.receive().doOnNext(f -> {
            if (f.type() == MessageType.BLOB.wire() || f.type() == MessageType.ERROR.wire()) {
                readsInFlight.decrementAndGet();
            }
        });
    }

    @Override
    public Mono<CloseReason> onClose() {
        return delegate.onClose();
    }

    @Override
    public void close(CloseReason reason) {
        delegate.close(reason);
    }

    @Override
    public boolean isClosed() {
        return delegate.isClosed();
    }
}
