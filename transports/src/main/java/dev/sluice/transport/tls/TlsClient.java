package dev.sluice.transport.tls;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.channel.ChannelLinks;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import javax.net.ssl.SSLException;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;

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
}
