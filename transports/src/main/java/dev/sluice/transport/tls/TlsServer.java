package dev.sluice.transport.tls;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.channel.ChannelLinks;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.NettyInbound;
import reactor.netty.NettyPipeline;
import reactor.netty.tcp.TcpServer;

/**
 * A TLS 1.3 server with mandatory client certificates: it maps each client certificate's
 * name to an identity from its configuration (refusing names it does not know), runs the
 * link handshake, and hands each accepted {@link Link} to a handler. Every refusal and
 * every link's end is logged with its reason.
 */
public final class TlsServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TlsServer.class.getName());

    /** Outbound buffer bounds per connection: a sender pauses above the high mark. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);

    private final DisposableServer server;

    private TlsServer(DisposableServer server) {
        this.server = server;
    }

    /**
     * Binds and starts serving. The handler gets each accepted link; when its Mono ends the
     * link is closed (normally, or with APPLICATION_ERROR if it failed).
     */
    public static Mono<TlsServer> start(TlsServerSpec spec, Function<Link, Mono<Void>> handler) {
        return start(spec, spec.clients()::get, handler);
    }

    /**
     * As {@link #start(TlsServerSpec, Function)}, but each accepted client's certificate name is looked up in
     * {@code clients} when its handshake completes (null: refused) instead of in the spec's fixed map, so the map can
     * change while the server listens (a daemon's reload).
     */
    public static Mono<TlsServer> start(TlsServerSpec spec, Function<String, PeerIdentity> clients,
            Function<Link, Mono<Void>> handler) {
        return Mono.defer(() -> {
            SslContext ssl = TlsContexts.server(spec);
            return TcpServer.create()
                    .host(spec.host())
                    .port(spec.port())
                    .secure(s -> s.sslContext(ssl))
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .doOnChannelInit((observer, channel, remote) -> {
                        channel.config().setAutoRead(false);
                        tcpKeepalive(channel);
                        addHandshakeLog(channel);
                        ChannelLinks.install(channel, spec.link(), false);
                    })
                    .handle((in, out) -> serve(spec, clients, handler, in))
                    .bind()
                    .map(TlsServer::new)
                    .doOnNext(s -> LOG.log(System.Logger.Level.INFO, "TLS server listening on {0} ({1} engine)",
                            s.address(), ssl instanceof ReferenceCountedOpenSslContext ? TlsEngine.OPENSSL
                                    : TlsEngine.JDK));
        });
    }

    /**
     * Probes an idle connection after {@link #KEEPALIVE_IDLE_SECONDS} (then every 15 s, 4 times) where the native
     * transport allows it, instead of the kernel's default of two hours, so a peer that vanished is noticed and the
     * state NATs and firewalls keep for the connection stays fresh. Without epoll only SO_KEEPALIVE applies.
     */
    static void tcpKeepalive(io.netty.channel.Channel channel) {
        if (channel instanceof io.netty.channel.epoll.EpollSocketChannel epoll) {
            epoll.config().setTcpKeepIdle(KEEPALIVE_IDLE_SECONDS).setTcpKeepIntvl(15).setTcpKeepCnt(4);
        }
    }

    /** Seconds a TLS connection may idle before the kernel probes it (SO_KEEPALIVE is on for every connection). */
    public static final int KEEPALIVE_IDLE_SECONDS = 60;

    /** The address the server is bound to (with the real port when 0 was asked). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    /** Stops listening; connections already accepted go on until their handlers end. */
    @Override
    public void close() {
        server.disposeNow();
    }

    private static Mono<Void> serve(TlsServerSpec spec, Function<String, PeerIdentity> clients,
            Function<Link, Mono<Void>> handler, NettyInbound in) {
        AtomicReference<Connection> ref = new AtomicReference<>();
        in.withConnection(ref::set);
        Connection connection = ref.get();
        Channel ch = connection.channel();
        SocketAddress remote = ch.remoteAddress();
        String name;
        try {
            name = clientName(ch);
        } catch (SSLPeerUnverifiedException | IllegalArgumentException e) {
            return refuse(spec, connection, "client at " + remote + " has no usable certificate: " + e.getMessage());
        }
        PeerIdentity id = clients.apply(name);
        if (id == null) {
            return refuse(spec, connection, "client certificate name '" + name + "' (from " + remote
                    + ") is not in this server's client map");
        }
        return ChannelLinks.pending(ch).start(id)
                .onErrorResume(LinkClosedException.class, e -> {
                    LOG.log(System.Logger.Level.WARNING, "link handshake with client ''{0}'' ({1}) failed: {2}", id,
                            remote, e.reason());
                    return Mono.empty();
                })
                .flatMap(link -> {
                    LOG.log(System.Logger.Level.INFO, "accepted client ''{0}'' from {1}", id, remote);
                    link.onClose().subscribe(r -> LOG.log(r.isNormal() ? System.Logger.Level.INFO
                            : System.Logger.Level.WARNING, "link with client ''{0}'' ({1}) ended: {2}", id, remote, r));
                    return Mono.defer(() -> handler.apply(link))
                            .doOnSuccess(v -> link.close(CloseReason.normal()))
                            .onErrorResume(t -> {
                                link.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR, String.valueOf(
                                        t.getMessage())));
                                return Mono.empty();
                            })
                            .then(link.onClose());
                })
                .then(connection.onDispose());
    }

    private static Mono<Void> refuse(TlsServerSpec spec, Connection connection, String why) {
        LOG.log(System.Logger.Level.WARNING, "refused " + why);
        return ChannelLinks.pending(connection.channel()).refuse(CloseReason.of(
                        CloseReason.Code.AUTHENTICATION_FAILED, "server refused " + why))
                .onErrorResume(LinkClosedException.class, e -> Mono.empty())
                .then(connection.onDispose());
    }

    private static String clientName(Channel ch) throws SSLPeerUnverifiedException {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl == null) {
            throw new IllegalArgumentException("the connection is not using TLS");
        }
        Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            throw new IllegalArgumentException("no X.509 client certificate");
        }
        return TlsNames.commonName(leaf);
    }

    private static void addHandshakeLog(Channel ch) {
        ChannelInboundHandlerAdapter log = new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
                    LOG.log(System.Logger.Level.WARNING, "refused client at {0}: TLS handshake failed: {1}",
                            ctx.channel().remoteAddress(), TlsFailures.describe(e.cause()));
                }
                ctx.fireUserEventTriggered(evt);
            }
        };
        if (ch.pipeline().get(NettyPipeline.SslHandler) != null) {
            ch.pipeline().addAfter(NettyPipeline.SslHandler, "sluice.tlsHandshakeLog", log);
        } else {
            ch.pipeline().addFirst("sluice.tlsHandshakeLog", log);
        }
    }
}
