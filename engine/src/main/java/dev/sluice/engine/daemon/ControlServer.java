package dev.sluice.engine.daemon;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.PeerCredentials;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpServer;

/**
 * The control socket: a UNIX stream socket ({@code RUNTIME_DIR/control.sock}, mode 0600) that takes one JSON
 * request per line and answers each with one JSON line, in order. Only the daemon's own user and root may talk
 * to it; the peer's uid comes from the kernel (SO_PEERCRED), and anyone else gets one refusal line and is
 * disconnected.
 */
public final class ControlServer implements Service {
    /** The longest request line accepted. */
    static final int MAX_REQUEST = 64 * 1024;

    private final Path socket;
    private final int allowedUid;
    private final Function<String, Mono<String>> handler;
    private final LoopResources loops;
    private final EventLog log;
    private DisposableServer server;

    /**
     * @param allowedUid the uid besides root that may connect (the daemon's own)
     * @param handler answers one request line with one response line (without newline)
     */
    public ControlServer(Path socket, int allowedUid, Function<String, Mono<String>> handler, LoopResources loops,
            EventLog log) {
        this.socket = socket;
        this.allowedUid = allowedUid;
        this.handler = handler;
        this.loops = loops;
        this.log = log;
    }

    @Override
    public String name() {
        return "control " + socket;
    }

    @Override
    public void start() throws IOException {
        removeStale();
        try {
            server = TcpServer.create()
                    .runOn(loops, true)
                    .bindAddress(() -> new DomainSocketAddress(socket.toString()))
                    .doOnConnection(c -> c.addHandlerFirst("lines", new LineBasedFrameDecoder(MAX_REQUEST)))
                    .handle((in, out) -> {
                        Connection connection = (Connection) in;
                        String refusal = refusal(connection.channel());
                        if (refusal != null) {
                            log.warn("control.refused", "socket", socket, "reason", refusal);
                            return out.sendString(Mono.just(ControlProtocol.error(refusal) + "\n")).then();
                        }
                        return out.sendString(in.receive().asString(StandardCharsets.UTF_8)
                                .concatMap(handler)
                                .map(line -> line + "\n"));
                    })
                    .bindNow();
        } catch (RuntimeException e) {
            throw new IOException("cannot listen on the control socket " + socket + ": " + e.getMessage(), e);
        }
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    }

    /** Why this peer may not use the socket, or null when it may. */
    private String refusal(Channel channel) {
        if (!(channel instanceof EpollDomainSocketChannel domain)) {
            return "the control socket accepts only local UNIX connections";
        }
        try {
            PeerCredentials peer = domain.peerCredentials();
            if (peer.uid() == allowedUid || peer.uid() == 0) {
                return null;
            }
            return "permission denied: uid " + peer.uid() + " may not use the control socket of the sluice daemon"
                    + " (running as uid " + allowedUid + ")";
        } catch (IOException e) {
            return "cannot read the peer's credentials: " + e.getMessage();
        }
    }

    /** A socket file left by a daemon that died is removed; one a live daemon answers on is an error. */
    private void removeStale() throws IOException {
        if (!Files.exists(socket)) {
            return;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            throw new IOException("another sluice daemon is listening on " + socket);
        } catch (IOException refused) {
            if (refused.getMessage() != null && refused.getMessage().startsWith("another sluice daemon")) {
                throw refused;
            }
            Files.deleteIfExists(socket);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.disposeNow(java.time.Duration.ofSeconds(5));
            server = null;
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                log.warn("control.cleanup", "socket", socket, "error", e.getMessage());
            }
        }
    }
}
