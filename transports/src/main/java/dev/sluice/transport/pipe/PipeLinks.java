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
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Makes a {@link Link} out of a pair of blocking byte streams (a child process's stdout and
 * stdin, or pipe descriptors received from another process): the streams are relayed by two
 * threads into one end of a private UNIX socket pair whose other end is an epoll channel
 * carrying the ordinary link (same wire format and handshake as TLS links). Backpressure is
 * the sockets' and pipes' own bounded buffers; nothing is queued without bound.
 */
public final class PipeLinks implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PipeLinks.class.getName());
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);

    private final EventLoopGroup group;
    private final boolean ownsGroup;

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
     * done.
     *
     * @param name       names the relay threads and log lines (e.g. "ssh backup@sink")
     * @param connecting true on the side that started the conversation (the ssh client)
     * @param peer       the peer's identity, from this side's configuration only
     */
    public Mono<Link> open(InputStream in, OutputStream out, String name, LinkSpec spec, PeerIdentity peer,
                           boolean connecting) {
        return Mono.fromCallable(() -> bridge(in, out, name, spec, connecting))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(p -> p.start(peer));
    }

    private ChannelLinks.Pending bridge(InputStream in, OutputStream out, String name, LinkSpec spec,
                                        boolean connecting) throws IOException {
        Path dir = Files.createTempDirectory("sluice-pipe-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path sock = dir.resolve("s");
        AtomicReference<ChannelLinks.Pending> pending = new AtomicReference<>();
        SocketChannel far;
        Channel near;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock), 1);
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
        Relay relay = new Relay(far, in, out, name);
        near.closeFuture().addListener(f -> LOG.log(System.Logger.Level.DEBUG, "pipe link {0} closed", name));
        relay.start();
        return pending.get();
    }

    /** Shuts the event loop down if this instance created it. */
    @Override
    public void close() {
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Two threads copying in → socket and socket → out, each closing what it owns when done. */
    private static final class Relay {
        private final SocketChannel far;
        private final InputStream in;
        private final OutputStream out;
        private final String name;
        private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger(2);

        Relay(SocketChannel far, InputStream in, OutputStream out, String name) {
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
            byte[] buf = new byte[64 * 1024];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        far.write(bb);
                    }
                }
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
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(64 * 1024);
            try {
                while (far.read(bb) >= 0) {
                    bb.flip();
                    out.write(bb.array(), 0, bb.limit());
                    out.flush();
                    bb.clear();
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "pipe link {0}: relay to the peer ended: {1}", name,
                        e.getMessage());
                closeQuietly(far, "relay socket");
            } finally {
                closeQuietly(out, "output stream");
                done();
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
