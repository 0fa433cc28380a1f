package dev.sluice.transport.stdinserver;

import dev.sluice.transport.PeerIdentity;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The {@code sluice stdinserver ID} side: connects to the daemon's socket for ID, passes two
 * descriptors (normally its own stdin and stdout) with SCM_RIGHTS, and waits for the
 * session's status byte. It never reads or writes the descriptors itself.
 */
public final class StdinClient {

    private StdinClient() {
    }

    /**
     * Hands {@code in} and {@code out} to the daemon and returns the session's exit status
     * (0 when the link ended normally).
     *
     * @throws IOException if there is no socket for {@code id}, or the daemon went away without a status
     */
    public static int run(Path runtimeDir, PeerIdentity id, FileDescriptor in, FileDescriptor out)
            throws IOException, InterruptedException {
        Path sock = StdinServerSpec.socket(runtimeDir, id);
        if (!Files.exists(sock)) {
            throw new IOException("there is no stdinserver socket for client '" + id + "' at " + sock
                    + ": is the sluice daemon running with '" + id + "' configured as an ssh client?");
        }
        CompletableFuture<Integer> status = new CompletableFuture<>();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel ch = new Bootstrap().group(group)
                    .channel(EpollDomainSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            try {
                                if (msg instanceof ByteBuf b && b.isReadable()) {
                                    status.complete(b.readByte() & 0xff);
                                }
                            } finally {
                                ReferenceCountUtil.release(msg);
                            }
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            status.completeExceptionally(new IOException("the sluice daemon closed the stdinserver"
                                    + " socket " + sock + " without sending a status"));
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            status.completeExceptionally(new IOException("stdinserver socket " + sock + " failed: "
                                    + cause.getMessage(), cause));
                            ctx.close();
                        }
                    })
                    .connect(new DomainSocketAddress(sock.toString()))
                    .sync()
                    .channel();
            ch.write(in);
            ch.writeAndFlush(out).sync();
            try {
                return status.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        } catch (io.netty.channel.ChannelException e) {
            throw new IOException("could not connect to stdinserver socket " + sock + ": " + e.getMessage(), e);
        } finally {
            // waited for: the process exits next, and the JVM's exit waits up to 0.3 s for a loop still in epoll_wait
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }
}
