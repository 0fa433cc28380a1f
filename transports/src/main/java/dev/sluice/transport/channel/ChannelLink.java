package dev.sluice.transport.channel;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.frame.Control;
import dev.sluice.transport.frame.FrameCodecException;
import dev.sluice.transport.frame.Hello;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

/**
 * A {@link Link} over one Netty channel carrying {@code FrameDecoder}/{@code FrameEncoder}: it
 * runs the hello/accept handshake, reads only while the receiver has demand (auto-read is
 * off), and feeds senders only while the channel is writable. All state lives on the
 * channel's event loop.
 */
final class ChannelLink extends ChannelInboundHandlerAdapter implements Link {

    /** Which end of the handshake this side plays. */
    enum Role { CONNECTOR, ACCEPTOR }

    private static final System.Logger LOG = System.getLogger(ChannelLink.class.getName());

    /** Frames a sender may have requested but not yet written. */
    static final int SEND_PREFETCH = 16;

    private final Channel channel;
    private final EventLoop loop;
    private final LinkSpec spec;
    private final Role role;
    private volatile PeerIdentity peer;
    private boolean started;
    private final ArrayDeque<Object> early = new ArrayDeque<>();

    private final Sinks.One<Link> established = Sinks.one();
    private final Sinks.One<CloseReason> closed = Sinks.one();
    private volatile CloseReason closeReason;
    private volatile int peerMaxFrame;
    private boolean helloSeen;
    private boolean handshakeDone;
    private ScheduledFuture<?> handshakeTimer;

    private final AtomicBoolean receiveTaken = new AtomicBoolean();
    private final ArrayDeque<Frame> pending = new ArrayDeque<>();
    private CoreSubscriber<? super Frame> receiver;
    private long demand;
    private boolean receiverCancelled;
    private boolean receiverTerminated;
    private CloseReason receiveEnd;

    private final List<Sender> senders = new ArrayList<>();
    private boolean flushScheduled;

    ChannelLink(Channel channel, LinkSpec spec, Role role) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.spec = spec;
        this.role = role;
    }

    /**
     * Starts the handshake once the caller knows who the peer is; what arrived before is
     * processed now. The result completes once the link is usable. Call on the event loop.
     *
     * @param refusal when not null, this side refuses the peer: it sends its hello and this
     *                reason, then closes
     */
    Mono<Link> start(PeerIdentity peerIdentity, CloseReason refusal) {
        if (started) {
            return Mono.error(new IllegalStateException("the link on " + channel + " was already started"));
        }
        started = true;
        this.peer = peerIdentity;
        channel.config().setAutoRead(false);
        if (closeReason != null) {
            releaseEarly();
            return Mono.error(new LinkClosedException(closeReason));
        }
        channel.write(Hello.current(spec.maxFrameLength()));
        if (refusal != null) {
            closeInLoop(refusal, true);
            return established.asMono();
        }
        channel.flush();
        handshakeTimer = loop.schedule(() -> {
            if (!handshakeDone) {
                closeInLoop(CloseReason.of(CloseReason.Code.HANDSHAKE_TIMEOUT, "the link handshake with "
                        + describePeer() + " did not finish within " + spec.handshakeTimeout()), true);
            }
        }, spec.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        Object m;
        while ((m = early.poll()) != null && closeReason == null) {
            channelRead(null, m);
        }
        releaseEarly();
        if (closeReason == null) {
            channel.read();
        }
        return established.asMono();
    }

    private void releaseEarly() {
        Object m;
        while ((m = early.poll()) != null) {
            if (m instanceof Frame f) {
                f.release();
            } else {
                ReferenceCountUtil.release(m);
            }
        }
    }

    @Override
    public PeerIdentity peer() {
        return peer;
    }

    @Override
    public int maxFrameLength() {
        return peerMaxFrame;
    }

    @Override
    public boolean isClosed() {
        return closeReason != null;
    }

    @Override
    public Mono<CloseReason> onClose() {
        return closed.asMono();
    }

    @Override
    public void close(CloseReason reason) {
        execute(() -> closeInLoop(reason, true));
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!started) {
            // the peer spoke before this side knew who it is (e.g. right after the TLS handshake)
            early.add(msg);
            return;
        }
        if (msg instanceof Hello h) {
            onHello(h);
        } else if (msg instanceof Frame f) {
            if (f.type() == Frame.CONTROL_TYPE) {
                onControl(f);
            } else if (!handshakeDone || closeReason != null) {
                f.release();
                if (closeReason == null) {
                    closeInLoop(CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, describePeer()
                            + " sent a frame of type " + f.type() + " before the handshake finished"), true);
                }
            } else if (receiverCancelled) {
                f.release();
            } else {
                pending.add(f);
                drain();
            }
        } else {
            ReferenceCountUtil.release(msg);
            closeInLoop(CloseReason.of(CloseReason.Code.TRANSPORT_ERROR, "unexpected message "
                    + msg.getClass().getName() + " in the link pipeline"), true);
        }
    }

    private void onHello(Hello h) {
        helloSeen = true;
        peerMaxFrame = h.maxFrameLength();
        if (role == Role.ACCEPTOR && closeReason == null) {
            channel.writeAndFlush(new Frame(Frame.CONTROL_TYPE, Control.accept(channel.alloc())));
            handshakeFinished();
        }
    }

    private void onControl(Frame f) {
        Control c;
        try {
            c = Control.parse(f.payload());
        } catch (FrameCodecException e) {
            closeInLoop(e.reason(), true);
            return;
        } finally {
            f.release();
        }
        if (c instanceof Control.Close close) {
            closeInLoop(new CloseReason(close.code(), close.detail(), true), false);
        } else if (role == Role.CONNECTOR && helloSeen && !handshakeDone) {
            handshakeFinished();
        } else {
            closeInLoop(CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, describePeer()
                    + " sent an accept message out of place"), true);
        }
    }

    private void handshakeFinished() {
        if (closeReason != null) {
            return;
        }
        handshakeDone = true;
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        established.tryEmitValue(this);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (closeReason != null || !started) {
            return;
        }
        if (!handshakeDone || receiverCancelled || (demand > 0 && pending.isEmpty())) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            for (Sender s : List.copyOf(senders)) {
                s.resume();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof FrameCodecException e) {
            closeInLoop(e.reason(), true);
        } else if (cause instanceof DecoderException && cause.getCause() instanceof SSLException ssl) {
            if (!handshakeDone) {
                // with TLS 1.3 a server judges the client's certificate after the client thinks the
                // TLS handshake is over, so its refusal arrives here, as an alert
                closeInLoop(CloseReason.of(CloseReason.Code.AUTHENTICATION_FAILED, describePeer()
                        + " ended the TLS session before the link handshake, most likely refusing this side's "
                        + "certificate (expired, not valid yet, or from a CA it does not trust): "
                        + ssl.getMessage()), false);
            } else {
                closeInLoop(CloseReason.of(CloseReason.Code.TRANSPORT_ERROR, "TLS error with " + describePeer()
                        + ": " + ssl.getMessage()), false);
            }
        } else if (cause instanceof IOException || cause instanceof SSLException) {
            closeInLoop(CloseReason.of(CloseReason.Code.TRANSPORT_ERROR, "connection to " + describePeer()
                    + " failed: " + cause.getMessage()), false);
        } else {
            LOG.log(System.Logger.Level.WARNING, "unexpected error on the link to " + describePeer(), cause);
            closeInLoop(CloseReason.of(CloseReason.Code.TRANSPORT_ERROR, "unexpected error on the link to "
                    + describePeer() + ": " + cause), true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (closeReason == null) {
            closeInLoop(new CloseReason(handshakeDone ? CloseReason.Code.PEER_GONE : CloseReason.Code.TRUNCATED,
                    describePeer() + " closed the connection without a close message"
                            + (handshakeDone ? "" : " during the handshake"), false), false);
        }
        closed.tryEmitValue(closeReason);
        ctx.fireChannelInactive();
    }

    // ---------------------------------------------------------------- receive

    @Override
    public Flux<Frame> receive() {
        return new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super Frame> actual) {
                if (!receiveTaken.compareAndSet(false, true)) {
                    Operators.error(actual, new IllegalStateException("receive() of the link to " + peer
                            + " may be subscribed only once"));
                    return;
                }
                execute(() -> {
                    receiver = actual;
                    actual.onSubscribe(new ReceiveSubscription());
                    drain();
                });
            }
        };
    }

    private final class ReceiveSubscription implements Subscription {
        @Override
        public void request(long n) {
            if (n <= 0) {
                execute(() -> terminateReceiver(new IllegalArgumentException("request of " + n
                        + " frames; demand must be positive")));
                return;
            }
            execute(() -> {
                demand = Operators.addCap(demand, n);
                drain();
            });
        }

        @Override
        public void cancel() {
            execute(() -> {
                receiverCancelled = true;
                receiverTerminated = true;
                releasePending();
                if (closeReason == null && handshakeDone) {
                    channel.read();
                }
            });
        }
    }

    private void drain() {
        if (receiver == null || receiverTerminated) {
            return;
        }
        while (demand > 0 && !pending.isEmpty()) {
            demand--;
            receiver.onNext(pending.poll());
            if (receiverTerminated) {
                return;
            }
        }
        if (pending.isEmpty() && receiveEnd != null) {
            receiverTerminated = true;
            if (receiveEnd.isNormal()) {
                receiver.onComplete();
            } else {
                receiver.onError(new LinkClosedException(receiveEnd));
            }
            return;
        }
        if (demand > 0 && pending.isEmpty() && closeReason == null && handshakeDone) {
            channel.read();
        }
    }

    private void terminateReceiver(Throwable error) {
        if (!receiverTerminated && receiver != null) {
            receiverTerminated = true;
            releasePending();
            receiver.onError(error);
        }
    }

    private void releasePending() {
        Frame f;
        while ((f = pending.poll()) != null) {
            f.release();
        }
    }

    // ---------------------------------------------------------------- send

    @Override
    public Mono<Void> send(Publisher<Frame> frames) {
        return Mono.create(sink -> {
            Sender s = new Sender(sink);
            sink.onCancel(() -> execute(() -> s.finish(null, true)));
            Flux.from(frames).doOnDiscard(Frame.class, Frame::releaseQuietly).subscribe(s);
        });
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(() -> {
                flushScheduled = false;
                channel.flush();
            });
        }
    }

    /**
     * Feeds one publisher's frames to the channel. Signals may arrive on any thread; they
     * pass through a queue drained on the event loop, so frame order is kept.
     */
    private final class Sender implements CoreSubscriber<Frame> {
        private final MonoSink<Void> sink;
        private final Queue<Frame> inbox = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean drainScheduled = new AtomicBoolean();
        private volatile Subscription upstream;
        private volatile boolean upstreamDone;
        private volatile Throwable upstreamError;
        private int outstanding;
        private boolean paused;
        private boolean finished;
        private ChannelFuture last;

        Sender(MonoSink<Void> sink) {
            this.sink = sink;
        }

        @Override
        public Context currentContext() {
            return Context.of(sink.contextView());
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            execute(() -> {
                if (closeReason != null) {
                    finish(new LinkClosedException(closeReason), true);
                    return;
                }
                senders.add(this);
                replenish();
            });
        }

        @Override
        public void onNext(Frame f) {
            inbox.offer(f);
            schedule();
        }

        @Override
        public void onError(Throwable t) {
            upstreamError = t;
            upstreamDone = true;
            schedule();
        }

        @Override
        public void onComplete() {
            upstreamDone = true;
            schedule();
        }

        private void schedule() {
            if (drainScheduled.compareAndSet(false, true)) {
                try {
                    loop.execute(this::drainInbox);
                } catch (RejectedExecutionException e) {
                    drainScheduled.set(false);
                    Frame f;
                    while ((f = inbox.poll()) != null) {
                        f.release();
                    }
                }
            }
        }

        private void drainInbox() {
            drainScheduled.set(false);
            Frame f;
            while ((f = inbox.poll()) != null) {
                write(f);
            }
            if (upstreamDone && !finished) {
                if (upstreamError != null) {
                    finish(upstreamError, false);
                    return;
                }
                channel.flush();
                if (last == null || last.isSuccess()) {
                    finish(null, false);
                } else {
                    last.addListener(done -> {
                        if (done.isSuccess()) {
                            finish(null, false);
                        }
                    });
                }
            }
        }

        private void write(Frame f) {
            outstanding--;
            if (finished) {
                f.release();
                return;
            }
            if (closeReason != null) {
                f.release();
                finish(new LinkClosedException(closeReason), true);
                return;
            }
            if (f.type() == Frame.CONTROL_TYPE) {
                f.release();
                finish(new IllegalArgumentException("frame type 0 is reserved for the transport"), true);
                return;
            }
            if (f.length() > peerMaxFrame) {
                int n = f.length();
                f.release();
                finish(new IllegalArgumentException("frame of " + n + " bytes (type " + f.type()
                        + ") exceeds the maximum of " + peerMaxFrame + " bytes that " + peer + " accepts"), true);
                return;
            }
            ChannelFuture fut = channel.write(f);
            last = fut;
            fut.addListener(done -> {
                if (!done.isSuccess()) {
                    CloseReason r = closeReason != null ? closeReason
                            : CloseReason.of(CloseReason.Code.TRANSPORT_ERROR, "writing to " + describePeer()
                                    + " failed: " + done.cause());
                    finish(new LinkClosedException(r, done.cause()), true);
                }
            });
            scheduleFlush();
            if (channel.isWritable()) {
                replenish();
            } else {
                paused = true;
            }
        }

        void resume() {
            if (paused && !finished) {
                paused = false;
                replenish();
            }
        }

        private void replenish() {
            if (!upstreamDone && outstanding <= SEND_PREFETCH / 2) {
                int n = SEND_PREFETCH - outstanding;
                outstanding += n;
                upstream.request(n);
            }
        }

        void finish(Throwable error, boolean cancelUpstream) {
            if (finished) {
                return;
            }
            finished = true;
            senders.remove(this);
            if (cancelUpstream && upstream != null) {
                upstream.cancel();
            }
            Frame f;
            while ((f = inbox.poll()) != null) {
                f.release();
            }
            if (error == null) {
                sink.success();
            } else {
                sink.error(error);
            }
        }
    }

    // ---------------------------------------------------------------- close

    private void closeInLoop(CloseReason reason, boolean tellPeer) {
        if (closeReason != null) {
            return;
        }
        closeReason = reason;
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        LOG.log(reason.isNormal() ? System.Logger.Level.DEBUG : System.Logger.Level.INFO,
                "link with {0} ({1}) ended: {2}", describePeer(), channel.remoteAddress(), reason);
        if (tellPeer && channel.isActive()) {
            channel.writeAndFlush(new Frame(Frame.CONTROL_TYPE, Control.close(channel.alloc(), reason)))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
        for (Sender s : List.copyOf(senders)) {
            s.finish(new LinkClosedException(reason), true);
        }
        if (!reason.byPeer()) {
            releasePending();
        }
        releaseEarly();
        receiveEnd = reason;
        drain();
        if (!handshakeDone) {
            established.tryEmitError(new LinkClosedException(reason));
        }
        if (!channel.isActive()) {
            closed.tryEmitValue(reason);
        }
    }

    private String describePeer() {
        return peer != null ? "peer '" + peer + "'" : "peer at " + channel.remoteAddress();
    }

    private void execute(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            throw new LinkClosedException(CloseReason.of(CloseReason.Code.SHUTDOWN, "the event loop of the link to "
                    + describePeer() + " has shut down"), e);
        }
    }
}
