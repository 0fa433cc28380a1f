package dev.sluice.transport.tls;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.channel.ChannelLinks;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import javax.net.ssl.SSLException;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpResources;

/**
 * Connects to a {@link TlsServer}: TLS 1.3 with this node's certificate, the server's
 * certificate checked against the CA bundle and the configured server name, then the link
 * handshake. The link reports the configured server name as the peer's identity.
 */
public final class TlsClient {

    private TlsClient() {
    }

    /** A link to the server, or a {@link LinkClosedException} saying why there is none. */
    public static Mono<Link> connect(TlsClientSpec spec) {
        return Mono.defer(() -> {
            SslContext ssl = TlsContexts.client(spec);
            PeerIdentity server = new PeerIdentity(spec.serverName());
            String where = spec.host() + ":" + spec.port();
            return TcpClient.newConnection()
                    .host(spec.host())
                    .port(spec.port())
                    .secure(s -> s.sslContext(ssl))
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, TlsServer.WATER_MARK)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .doOnChannelInit((observer, channel, remote) -> TlsServer.tcpKeepalive(channel))
                    .connect()
                    .onErrorMap(SSLException.class, e -> new LinkClosedException(CloseReason.of(
                            CloseReason.Code.AUTHENTICATION_FAILED, "TLS handshake with " + where + " failed: "
                                    + TlsFailures.describe(e)), e))
                    .flatMap(c -> ChannelLinks.connect(c.channel(), spec.link(), server));
        });
    }

    /**
     * For a process about to exit: stops the event loops that TLS links share (Reactor Netty's global TCP resources),
     * closing any link still open, and waits up to {@code timeout} for the loops to terminate (each thread has then
     * left {@code epoll_wait} and returns right after). HotSpot's exit waits up
     * to 300 ms for threads that are in native code to stop there, and an idle event loop sits in {@code epoll_wait}:
     * without this every command that made a TLS link took 0.3 s longer to exit. Loops are made again by the next
     * link; nothing happens when there are none.
     */
    public static void releaseSharedLoops(Duration timeout) {
        TcpResources.disposeLoopsAndConnectionsLater(Duration.ZERO, timeout).block(timeout.plusSeconds(1));
    }
}
