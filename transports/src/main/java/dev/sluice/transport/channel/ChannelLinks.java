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

    /** The connecting side: sends hello, and the link is ready when the peer's hello and accept arrive. */
    public static Mono<Link> connect(Channel channel, LinkSpec spec, PeerIdentity peer) {
        return install(channel, spec, ChannelLink.Role.CONNECTOR, peer, null);
    }

    /** The listening side: sends hello, and accepts the peer once its hello is valid. */
    public static Mono<Link> accept(Channel channel, LinkSpec spec, PeerIdentity peer) {
        return install(channel, spec, ChannelLink.Role.ACCEPTOR, peer, null);
    }

    /**
     * The listening side refusing a peer: sends hello and a close message with the reason,
     * then closes the channel. The returned Mono fails with that reason.
     */
    public static Mono<Link> refuse(Channel channel, LinkSpec spec, CloseReason reason) {
        return install(channel, spec, ChannelLink.Role.ACCEPTOR, null, reason);
    }

    private static Mono<Link> install(Channel channel, LinkSpec spec, ChannelLink.Role role, PeerIdentity peer,
            CloseReason refusal) {
        return Mono.defer(() -> {
            ChannelLink link = new ChannelLink(channel, spec, role, peer, refusal);
            Mono<Link> ready = Mono.create(sink -> channel.eventLoop().execute(() -> {
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
                link.start().subscribe(sink::success, sink::error);
            }));
            return ready;
        });
    }
}
