package dev.sluice.transport.pipe;

import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.channel.ChannelLinks;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Makes a {@link Link} out of a pair of blocking byte streams or channels (a child process's stdout and
 * stdin, or pipe descriptors received from another process): they are relayed by two
 * threads into one end of a private UNIX socket pair whose other end is an epoll channel
 * carrying the ordinary link (same wire format and handshake as TLS links). Backpressure is
 * the sockets' and pipes' own bounded buffers; nothing is queued without bound.
 */
public final class PipeLinks implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PipeLinks.class.getName());
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);

    /** How long {@link #close} waits for spliced links to deliver what they wrote last. */
    private static final Duration DRAIN = Duration.ofSeconds(2);

    private final EventLoopGroup group;
    private final boolean ownsGroup;
    /** Splicers whose link may still have bytes on the way to the peer. */
    private final Set<Splicer> splicers = ConcurrentHashMap.newKeySet();

    private PipeLinks(EventLoopGroup group, boolean ownsGroup) {
        this.group = group;
        this.ownsGroup = ownsGroup;
    }

    /** Pipe links on a new single-threaded epoll event loop that {@link #close} shuts down. */
    public static PipeLinks create() {
        return new PipeLinks(new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory()), true);
    }

    /** Pipe links on an existing epoll event loop group, which the caller keeps owning. */
    public static PipeLinks on(EventLoopGroup epollGroup) {
        return new PipeLinks(epollGroup, false);
    }

    /**
     * Opens a link over {@code in} (bytes from the peer) and {@code out} (bytes to the peer).
     * The streams are owned by the link from now on: {@code out} is closed when the link
     * ends, {@code in} when the peer stops sending. The Mono completes when the handshake is
     * done. Each write to {@code out} is flushed.
     *
     * @param name       names the relay threads and log lines (e.g. "ssh backup@sink")
     * @param connecting true on the side that started the conversation (the ssh client)
     * @param peer       the peer's identity, from this side's configuration only
     */
    public Mono<Link> open(InputStream in, OutputStream out, String name, LinkSpec spec, PeerIdentity peer,
                           boolean connecting) {
        return open(Channels.newChannel(in), flushing(out), name, spec, peer, connecting);
    }

    /**
     * As {@link #open(InputStream, OutputStream, String, LinkSpec, PeerIdentity, boolean)} over blocking channels;
     * a {@link java.nio.channels.FileChannel} (a pipe) is relayed through direct buffers with no copy in the JVM.
     */
    public Mono<Link> open(ReadableByteChannel in, WritableByteChannel out, String name, LinkSpec spec,
                           PeerIdentity peer, boolean connecting) {
        return Mono.fromCallable(() -> bridge(in, out, name, spec, connecting))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(p -> p.start(peer));
    }

    /** A channel over {@code out} that flushes each write (a process's stdin is buffered). */
    private static WritableByteChannel flushing(OutputStream out) {
        WritableByteChannel plain = Channels.newChannel(out);
        return new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                int n = plain.write(src);
                out.flush();
                return n;
            }

            @Override
            public boolean isOpen() {
                return plain.isOpen();
            }

            @Override
            public void close() throws IOException {
                plain.close();
            }
        };
    }

    /**
     * As {@link #open(ReadableByteChannel, WritableByteChannel, String, LinkSpec, PeerIdentity, boolean)} over pipe
     * descriptors (received from another process, or a child's): the kernel moves the bytes between the pipes and
     * the link's socket ({@link Splicer}), so no thread waits and no byte passes through the JVM on the way. A
     * descriptor that is not a pipe (a socket pair a launcher made) goes through the relay threads instead.
     */
    public Mono<Link> open(FileDescriptor in, FileDescriptor out, String name, LinkSpec spec, PeerIdentity peer,
                           boolean connecting) {
        if (!FdStreams.isPipe(in) || !FdStreams.isPipe(out)) {
            return open(FdStreams.readable(in), FdStreams.writable(out), name, spec, peer, connecting);
        }
        return Mono.fromCallable(() -> {
                    Bridged<Socket> b;
                    try {
                        b = bridge(name, spec, connecting, PipeLinks::listenNative);
                    } catch (IOException | RuntimeException e) {
                        in.close();
                        out.close();
                        throw e;
                    }
                    Splicer splicer = Splicer.start((IoEventLoop) b.near().eventLoop(), in, out, b.far(), name);
                    splicers.add(splicer);
                    splicer.delivered().whenComplete((v, e) -> splicers.remove(splicer));
                    return b.pending();
                })
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(p -> p.start(peer));
    }

    private ChannelLinks.Pending bridge(ReadableByteChannel in, WritableByteChannel out, String name, LinkSpec spec,
                                        boolean connecting) throws IOException {
        Bridged<SocketChannel> b = bridge(name, spec, connecting, PipeLinks::listenJdk);
        new Relay(b.far(), in, out, name).start();
        return b.pending();
    }

    /** The link's channel ({@code near}, not reading yet) and the other end of its socket ({@code far}) for a relay. */
    private record Bridged<F>(Channel near, F far, ChannelLinks.Pending pending) {
    }

    /** A listening UNIX socket that accepts the one connection of a bridge. */
    private interface Listener<F> extends AutoCloseable {
        F accept() throws IOException;

        @Override
        void close() throws IOException;
    }

    private interface Listen<F> {
        Listener<F> on(Path sock) throws IOException;
    }

    /** A blocking JDK socket, for the relay threads. */
    private static Listener<SocketChannel> listenJdk(Path sock) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(sock), 1);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new Listener<>() {
            @Override
            public SocketChannel accept() throws IOException {
                return server.accept();
            }

            @Override
            public void close() throws IOException {
                server.close();
            }
        };
    }

    /** A non-blocking native socket, for the splicer. */
    private static Listener<Socket> listenNative(Path sock) throws IOException {
        Socket server = Socket.newSocketDomain();
        try {
            server.bind(new DomainSocketAddress(sock.toString()));
            server.listen(1);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new Listener<>() {
            @Override
            public Socket accept() throws IOException {
                int fd = server.accept(new byte[Socket.UDS_SUN_PATH_SIZE + 16]);
                if (fd < 0) {
                    throw new IOException("no connection was waiting");
                }
                return new Socket(fd);
            }

            @Override
            public void close() throws IOException {
                server.close();
            }
        };
    }

    private <F> Bridged<F> bridge(String name, LinkSpec spec, boolean connecting, Listen<F> listen) throws IOException {
        Path dir = Files.createTempDirectory("sluice-pipe-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path sock = dir.resolve("s");
        AtomicReference<ChannelLinks.Pending> pending = new AtomicReference<>();
        F far;
        Channel near;
        try (Listener<F> server = listen.on(sock)) {
            var connect = new Bootstrap().group(group)
                    .channel(EpollDomainSocketChannel.class)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.config().setAutoRead(false);
                            pending.set(ChannelLinks.install(ch, spec, connecting));
                        }
                    })
                    .connect(new DomainSocketAddress(sock.toString()));
            // a connect to a listening UNIX socket completes from the backlog, before accept
            try {
                near = connect.sync().channel();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting the relay socket for " + name, e);
            }
            try {
                far = server.accept();
            } catch (IOException e) {
                near.close();
                throw new IOException("could not accept the relay socket for " + name + ": " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
        near.closeFuture().addListener(f -> LOG.log(System.Logger.Level.DEBUG, "pipe link {0} closed", name));
        return new Bridged<>(near, far, pending.get());
    }

    /**
     * Shuts the event loop down if this instance created it, after waiting (up to {@link #DRAIN}) for the spliced
     * links to move what they wrote last into their pipes: a link closed just before has its CLOSE still in the
     * socket, and a stopped loop would drop it (the peer would see "peer gone" instead of a normal close).
     */
    @Override
    public void close() {
        if (ownsGroup) {
            try {
                CompletableFuture.allOf(splicers.stream().map(Splicer::delivered).toArray(CompletableFuture[]::new))
                        .get(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // a peer that does not read: stop anyway
            }
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Two threads copying in → socket and socket → out through direct buffers, each closing what it owns when done. */
    private static final class Relay {
        private static final int BUFFER = 128 * 1024;

        private final SocketChannel far;
        private final ReadableByteChannel in;
        private final WritableByteChannel out;
        private final String name;
        private final AtomicInteger running = new AtomicInteger(2);

        Relay(SocketChannel far, ReadableByteChannel in, WritableByteChannel out, String name) {
            this.far = far;
            this.in = in;
            this.out = out;
            this.name = name;
        }

        void start() {
            thread("sluice-pipe-in " + name, this::inbound).start();
            thread("sluice-pipe-out " + name, this::outbound).start();
        }

        private static Thread thread(String name, Runnable r) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }

        /** Peer → link: ends when the peer's stream ends; then half-closes the socket. */
        private void inbound() {
            try {
                copy(in, far);
                far.shutdownOutput();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "pipe link {0}: relay from the peer ended: {1}", name,
                        e.getMessage());
                closeQuietly(far, "relay socket");
            } finally {
                closeQuietly(in, "input stream");
                done();
            }
        }

        /** Link → peer: ends when the link's channel closes; then closes the peer's stream. */
        private void outbound() {
            try {
                copy(far, out);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "pipe link {0}: relay to the peer ended: {1}", name,
                        e.getMessage());
                closeQuietly(far, "relay socket");
            } finally {
                closeQuietly(out, "output stream");
                done();
            }
        }

        /** Copies until {@code from} ends; a direct buffer, so channels over descriptors copy nothing here. */
        private static void copy(ReadableByteChannel from, WritableByteChannel to) throws IOException {
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            while (from.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
                buf.clear();
            }
        }

        private void done() {
            if (running.decrementAndGet() == 0) {
                closeQuietly(far, "relay socket");
            }
        }

        private void closeQuietly(java.io.Closeable c, String what) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "pipe link {0}: closing the {1} failed: {2}", name, what,
                        e.getMessage());
            }
        }
    }

}
