package dev.sluice.engine.protocol;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.ForwardingLink;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A link whose first frame has been read to decide what the link is for (push, pull, reverse pull): its
 * {@link #receive()} hands on the frames after the first, with the same backpressure (nothing more is read from
 * the link until that one subscriber asks), and {@link #replaying(Frame)} puts the first frame back in front.
 */
public final class PeekedLink extends ForwardingLink {

    /** The first frame (owned by the caller, who must release it) and the link that carries the rest. */
    public record First(Frame frame, PeekedLink link) {
    }

    private final Relay relay;

    private PeekedLink(Link link) {
        super(link);
        this.relay = new Relay(this);
    }

    /**
     * Reads the first frame of {@code link}. Completes empty when the link ends normally before any frame, fails
     * as {@code receive()} does otherwise; cancelling it stops reading and leaves the link open.
     */
    public static Mono<First> read(Link link) {
        return read(link, null);
    }

    /**
     * Reads the first frame of {@code link} that {@code skip} does not take: each frame for which {@code skip}
     * returns true (a keep-alive, answered or noted by {@code skip}) is released and the next one read. Otherwise as
     * {@link #read(Link)}.
     */
    public static Mono<First> read(Link link, Predicate<Frame> skip) {
        return Mono.create(sink -> {
            PeekedLink peeked = new PeekedLink(link);
            peeked.relay.skip = skip;
            peeked.relay.first = sink;
            sink.onCancel(peeked.relay::abandon);
            link.receive().subscribe(peeked.relay);
        });
    }

    /** This link with {@code first} delivered again before the rest; the returned link owns the frame. */
    public Link replaying(Frame first) {
        PeekedLink self = this;
        AtomicBoolean taken = new AtomicBoolean();
        // nobody may ever subscribe (the server failed first): the frame is released when the link ends
        self.onClose().subscribe(r -> {
            if (taken.compareAndSet(false, true)) {
                first.release();
            }
        });
        return new ForwardingLink(self) {
            @Override
            public void close(CloseReason reason) {
                if (taken.compareAndSet(false, true)) {
                    first.release();
                }
                self.close(reason);
            }

            @Override
            public Flux<Frame> receive() {
                if (!taken.compareAndSet(false, true)) {
                    return Flux.error(new IllegalStateException("receive() of link " + peer().name()
                            + " allows one subscriber"));
                }
                return Flux.concat(Flux.fromIterable(java.util.List.of(first)), self.receive())
                        .doOnDiscard(Frame.class, Frame::releaseQuietly);
            }
        };
    }



    /** The frames after the first; one subscriber. */
    @Override
    public Flux<Frame> receive() {
        return Flux.<Frame>create(relay::attach).doOnDiscard(Frame.class, Frame::releaseQuietly);
    }





    /** Reads one frame for the first-frame Mono, then only what the later subscriber asks for. */
    private static final class Relay extends BaseSubscriber<Frame> {
        private final PeekedLink owner;
        private MonoSink<First> first;
        private Predicate<Frame> skip;
        private boolean gotFirst;
        private boolean abandoned;
        private FluxSink<Frame> down;
        private boolean done;
        private Throwable error;

        Relay(PeekedLink owner) {
            this.owner = owner;
        }

        @Override
        protected void hookOnSubscribe(Subscription s) {
            s.request(1);
        }

        @Override
        protected void hookOnNext(Frame f) {
            if (skipped(f)) {
                return;
            }
            MonoSink<First> s = null;
            FluxSink<Frame> d = null;
            boolean drop = false;
            synchronized (this) {
                if (!gotFirst) {
                    gotFirst = true;
                    s = first;
                    first = null;
                    drop = abandoned || s == null;
                } else {
                    d = down;
                    drop = d == null;
                }
            }
            if (drop) {
                f.release();
                if (abandoned) {
                    cancel();
                }
            } else if (s != null) {
                s.success(new First(f, owner));
            } else {
                d.next(f);
            }
        }

        /** Whether {@code f} came before the first frame and {@code skip} took it (then it is released). */
        private boolean skipped(Frame f) {
            Predicate<Frame> sk;
            synchronized (this) {
                sk = gotFirst || abandoned ? null : skip;
            }
            if (sk == null) {
                return false;
            }
            boolean taken;
            try {
                taken = sk.test(f);
            } catch (RuntimeException e) {
                f.release();
                cancel();
                end(e);
                return true;
            }
            if (taken) {
                f.release();
                request(1);
            }
            return taken;
        }

        @Override
        protected void hookOnComplete() {
            end(null);
        }

        @Override
        protected void hookOnError(Throwable e) {
            end(e);
        }

        private void end(Throwable e) {
            MonoSink<First> s = null;
            FluxSink<Frame> d;
            synchronized (this) {
                if (!gotFirst) {
                    gotFirst = true;
                    s = first;
                    first = null;
                }
                done = true;
                error = e;
                d = down;
            }
            if (s != null) {
                if (e == null) {
                    s.success();
                } else {
                    s.error(e);
                }
                return;
            }
            if (d != null) {
                if (e == null) {
                    d.complete();
                } else {
                    d.error(e);
                }
            }
        }

        /** The first-frame Mono was cancelled before its frame came: stop reading. */
        void abandon() {
            boolean stop;
            synchronized (this) {
                abandoned = true;
                stop = !gotFirst;
            }
            if (stop) {
                cancel();
            }
        }

        void attach(FluxSink<Frame> d) {
            boolean ended;
            Throwable e;
            synchronized (this) {
                if (down != null) {
                    d.error(new IllegalStateException("receive() of link " + owner.peer().name()
                            + " allows one subscriber"));
                    return;
                }
                down = d;
                ended = done;
                e = error;
            }
            if (ended) {
                if (e == null) {
                    d.complete();
                } else {
                    d.error(e);
                }
                return;
            }
            d.onRequest(this::request);
            d.onCancel(this::cancel);
        }
    }
}
