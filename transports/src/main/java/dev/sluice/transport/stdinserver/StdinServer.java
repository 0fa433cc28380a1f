package dev.sluice.transport.stdinserver;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.pipe.PipeLinks;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

/**
 * The stdinserver's serve side: a UNIX socket per configured client identity in a private
 * runtime directory. A {@code sluice stdinserver ID} process connects, passes its stdin and
 * stdout (two descriptors, SCM_RIGHTS); they become a {@link Link} whose peer identity is the
 * socket's name (never anything the client says), handed to the handler. When the link ends
 * the client gets one status byte (0 normal, 1 otherwise) and exits with it. Beside each socket a FIFO
 * serves clients that are not a JVM (the launcher): {@link StdinRequests}.
 */
public final class StdinServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(StdinServer.class.getName());

    private final StdinServerSpec spec;
    private final Function<Link, Mono<Void>> handler;
    private final EventLoopGroup group;
    private final PipeLinks pipes;
    /** What listens for each identity, in the order they were added. */
    private final Map<PeerIdentity, Listening> listening = new LinkedHashMap<>();

    /** One identity's socket (its server channel and path) and FIFO (null when it could not be made). */
    private record Listening(Channel server, Path socket, StdinRequests requests) {
    }

    private StdinServer(StdinServerSpec spec, Function<Link, Mono<Void>> handler, EventLoopGroup group,
            PipeLinks pipes) {
        this.spec = spec;
        this.handler = handler;
        this.group = group;
        this.pipes = pipes;
    }

    /**
     * Checks the runtime directory and binds one socket per identity (replacing stale ones).
     * The handler gets each link; when its Mono ends the link is closed (normally, or with
     * APPLICATION_ERROR if it failed).
     *
     * @throws IOException if the directory is not private to this user or a socket cannot be bound
     */
    public static StdinServer start(StdinServerSpec spec, Function<Link, Mono<Void>> handler) throws IOException {
        RuntimeDirectory.requirePrivate(spec.runtimeDir());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        StdinServer server = new StdinServer(spec, handler, group, PipeLinks.on(group));
        try {
            server.update(spec.clients());
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The identities this server listens for now. */
    public synchronized Set<PeerIdentity> clients() {
        return Set.copyOf(listening.keySet());
    }

    /**
     * Listens for exactly {@code clients} from now on: binds a socket and a FIFO for each identity that is new, and
     * stops listening for (and removes the socket and FIFO of) each one that is gone. Sessions in progress go on,
     * also those of an identity that is gone. When a socket cannot be bound, the identities added by this call are
     * dropped again and the server listens as before.
     *
     * @throws IOException naming the socket that could not be bound
     */
    public synchronized void update(Set<PeerIdentity> clients) throws IOException {
        List<PeerIdentity> added = new ArrayList<>();
        try {
            for (PeerIdentity id : clients) {
                if (!listening.containsKey(id)) {
                    listening.put(id, listen(id));
                    added.add(id);
                }
            }
        } catch (Exception e) { // Netty's bind throws its native IOException unchecked
            added.forEach(this::stopListening);
            throw new IOException("stdinserver could not listen in " + spec.runtimeDir() + ": " + e.getMessage(), e);
        }
        for (PeerIdentity id : List.copyOf(listening.keySet())) {
            if (!clients.contains(id)) {
                stopListening(id);
                LOG.log(System.Logger.Level.INFO, "stdinserver no longer listens for client ''{0}''", id);
            }
        }
    }

    private Listening listen(PeerIdentity id) {
        Path sock = StdinServerSpec.socket(spec.runtimeDir(), id);
        try {
            Files.deleteIfExists(sock);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot replace " + sock + ": " + e.getMessage(), e);
        }
        Channel ch = new ServerBootstrap().group(group)
                .channel(EpollServerDomainSocketChannel.class)
                .childOption(UnixChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new Session(spec, id, pipes, handler));
                    }
                })
                .bind(new DomainSocketAddress(sock.toString()))
                .syncUninterruptibly()
                .channel();
        StdinRequests requests = null;
        try {
            requests = StdinRequests.start(spec.runtimeDir(), id, (in, out) -> {
                CompletableFuture<Integer> status = new CompletableFuture<>();
                serve(id, pipes.open(in, out, "stdinserver " + id, spec.link(), id, false), handler,
                        l -> true, status::complete);
                return status;
            });
            LOG.log(System.Logger.Level.INFO, "stdinserver listening for client ''{0}'' on {1} and {2}", id,
                    sock, StdinServerSpec.fifo(spec.runtimeDir(), id).getFileName());
        } catch (IOException e) {
            // the FIFO only spares the client a JVM: without it the launcher uses the socket
            LOG.log(System.Logger.Level.WARNING, "stdinserver listening for client ''{0}'' on {1} only (no"
                    + " FIFO: {2}); its forced command will start a JVM", id, sock, e.getMessage());
        }
        return new Listening(ch, sock, requests);
    }

    private void stopListening(PeerIdentity id) {
        Listening l = listening.remove(id);
        if (l == null) {
            return;
        }
        if (l.requests() != null) {
            l.requests().close();
        }
        l.server().close().syncUninterruptibly();
        try {
            Files.deleteIfExists(l.socket());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove stdinserver socket {0}: {1}", l.socket(),
                    e.getMessage());
        }
    }

    /**
     * Runs {@code handler} over the link {@code opening} gives, as client {@code id}, and closes the link when the
     * handler's Mono ends (normally, or with APPLICATION_ERROR if it failed). {@code opened} sees the link first and
     * may refuse to go on (it then closes the link itself). {@code ended} gets the status for the client once the
     * link has ended: 0 when it ended normally, 1 otherwise, also when the link's handshake failed.
     */
    private static void serve(PeerIdentity id, Mono<Link> opening, Function<Link, Mono<Void>> handler,
            Predicate<Link> opened, IntConsumer ended) {
        opening.subscribe(l -> {
            LOG.log(System.Logger.Level.INFO, "stdinserver accepted client ''{0}''", id);
            l.onClose().subscribe(r -> {
                LOG.log(r.isNormal() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                        "stdinserver link with client ''{0}'' ended: {1}", id, r);
                ended.accept(r.isNormal() ? 0 : 1);
            });
            if (!opened.test(l)) {
                return;
            }
            Mono.defer(() -> handler.apply(l)).subscribe(v -> { }, t -> l.close(CloseReason.of(
                    CloseReason.Code.APPLICATION_ERROR, String.valueOf(t.getMessage()))),
                    () -> l.close(CloseReason.normal()));
        }, t -> {
            LOG.log(System.Logger.Level.WARNING, "stdinserver link handshake with client ''{0}'' failed: {1}", id,
                    t.getMessage());
            ended.accept(1);
        });
    }

    /** Stops listening, removes the sockets and FIFOs, and ends every session. */
    @Override
    public synchronized void close() {
        for (PeerIdentity id : List.copyOf(listening.keySet())) {
            stopListening(id);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One client connection: two descriptors in, a link, one status byte out. */
    private static final class Session extends ChannelInboundHandlerAdapter {
        private final StdinServerSpec spec;
        private final PeerIdentity id;
        private final PipeLinks pipes;
        private final Function<Link, Mono<Void>> handler;
        private final List<FileDescriptor> fds = new ArrayList<>(2);
        private volatile Link link;
        private volatile boolean gone;

        Session(StdinServerSpec spec, PeerIdentity id, PipeLinks pipes, Function<Link, Mono<Void>> handler) {
            this.spec = spec;
            this.id = id;
            this.pipes = pipes;
            this.handler = handler;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
            if (!(msg instanceof FileDescriptor fd)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (fds.size() == 2) {
                LOG.log(System.Logger.Level.WARNING, "stdinserver client ''{0}'' sent more than two descriptors;"
                        + " closing the extra one", id);
                fd.close();
                return;
            }
            fds.add(fd);
            if (fds.size() == 2) {
                open(ctx);
            }
        }

        private void open(ChannelHandlerContext ctx) {
            serve(id, pipes.open(fds.get(0), fds.get(1), "stdinserver " + id, spec.link(), id, false), handler, l -> {
                link = l;
                if (gone) {
                    l.close(goneReason());
                    return false;
                }
                return true;
            }, status -> finish(ctx, status));
        }

        private CloseReason goneReason() {
            return CloseReason.of(CloseReason.Code.PEER_GONE, "the stdinserver process of client '" + id
                    + "' disconnected from the daemon");
        }

        private static void finish(ChannelHandlerContext ctx, int status) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) status}))
                    .addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            gone = true;
            Link l = link;
            if (l != null && !l.isClosed()) {
                l.close(goneReason());
            } else if (fds.size() < 2) {
                for (FileDescriptor fd : fds) {
                    fd.close();
                }
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(System.Logger.Level.WARNING, "stdinserver connection of client ''{0}'' failed: {1}", id,
                    cause.toString());
            ctx.close();
        }
    }
}
