package dev.sluice.transport.channel;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.frame.FrameDecoder;
import dev.sluice.transport.frame.FrameEncoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;

/**
 * Turns any connected Netty channel that carries a byte stream (TCP, TLS, a UNIX socket, a
 * pipe) into a {@link Link}: it appends the frame codec and the link handler to the
 * pipeline, turns auto-read off and runs the handshake. The peer's identity is decided by
 * the caller from its own configuration before calling.
 */
public final class ChannelLinks {

    /** Pipeline names of the handlers added here. */
    public static final String DECODER = "sluice.frameDecoder";
    public static final String ENCODER = "sluice.frameEncoder";
    public static final String LINK = "sluice.link";

    private ChannelLinks() {
    }

    /**
     * A link installed on a channel but not started: frames the peer sends early are held
     * until {@link #start} or {@link #refuse}.
     */
    public static final class Pending {
        private final ChannelLink link;
        private final Channel channel;

        private Pending(ChannelLink link, Channel channel) {
            this.link = link;
            this.channel = channel;
        }

        /** Runs the handshake with a peer this side has identified; completes when the link is usable. */
        public Mono<Link> start(PeerIdentity peer) {
            return onLoop(() -> link.start(peer, null));
        }

        /** Sends hello and a close message with {@code reason}, then closes; the Mono fails with the reason. */
        public Mono<Link> refuse(CloseReason reason) {
            return onLoop(() -> link.start(null, reason));
        }

        private Mono<Link> onLoop(java.util.function.Supplier<Mono<Link>> action) {
            return Mono.create(sink -> channel.eventLoop().execute(() -> action.get().subscribe(sink::success,
                    sink::error)));
        }
    }

    /**
     * Adds the frame codec and an unstarted link to {@code channel}'s pipeline. Call it when
     * the channel is initialised, before any byte can arrive, on its event loop.
     *
     * @param connecting true on the side that opened the connection (it waits for the
     *                   other side's accept)
     */
    public static Pending install(Channel channel, LinkSpec spec, boolean connecting) {
        ChannelLink link = new ChannelLink(channel, spec, connecting ? ChannelLink.Role.CONNECTOR
                : ChannelLink.Role.ACCEPTOR);
        ChannelPipeline p = channel.pipeline();
        if (p.get(NettyPipeline.ReactiveBridge) != null) {
            // Reactor Netty keeps its bridge last; the link must see the bytes before it.
            p.addBefore(NettyPipeline.ReactiveBridge, DECODER, new FrameDecoder(spec.maxFrameLength()));
            p.addBefore(NettyPipeline.ReactiveBridge, ENCODER, FrameEncoder.INSTANCE);
            p.addBefore(NettyPipeline.ReactiveBridge, LINK, link);
        } else {
            p.addLast(DECODER, new FrameDecoder(spec.maxFrameLength()));
            p.addLast(ENCODER, FrameEncoder.INSTANCE);
            p.addLast(LINK, link);
        }
        return new Pending(link, channel);
    }

    /** The unstarted link {@link #install} put on {@code channel}. */
    public static Pending pending(Channel channel) {
        ChannelLink link = channel.pipeline().get(ChannelLink.class);
        if (link == null) {
            throw new IllegalStateException("no link was installed on " + channel);
        }
        return new Pending(link, channel);
    }

    /** Installs and starts in one step, for a channel on which the peer cannot have spoken yet. */
    public static Mono<Link> connect(Channel channel, LinkSpec spec, PeerIdentity peer) {
        return Mono.<Pending>create(sink -> channel.eventLoop().execute(() -> sink.success(install(channel, spec,
                true)))).flatMap(p -> p.start(peer));
    }
}
