package dev.sluice.transport.pipe;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Relays a pair of pipes and one end of a socket pair in the kernel: {@code splice(2)} moves the pages from the
 * peer's pipe into the socket and from the socket into the pipe to the peer, driven by the epoll event loop, so
 * no byte is copied through the JVM and no thread waits per link. The inbound direction ends when the peer's pipe
 * ends (then the socket is half-closed), the outbound one when the socket ends (then the pipe to the peer is
 * closed); an error in one direction shuts the socket for that direction only (a peer that stopped reading may
 * still have written its last frames and its CLOSE), and the socket is closed when both have ended.
 *
 * <p>Netty's {@link Native#splice} answers 0 both for "would block" and for the end of the input. An end is
 * only possible after epoll reported a hang-up on that input; from then on a 0 is checked by reading one byte,
 * which cannot block (the writer is gone): -1 is the end, a byte is kept and written ahead of the next splice.
 * All state is touched on the event loop only.
 */
final class Splicer {

    private static final System.Logger LOG = System.getLogger(Splicer.class.getName());
    /** Bytes asked of one splice; the kernel moves at most what the pipe holds. */
    private static final int CHUNK = 1 << 20;
    /** EPOLLHUP, which Netty names no constant for: every writer of a pipe (or the socket's peer) is gone. */
    private static final int EPOLLHUP = 0x10;

    private final IoEventLoop loop;
    private final FileDescriptor in;
    private final FileDescriptor out;
    private final Socket far;
    private final String name;
    private final Direction inbound;
    private final Direction outbound;
    private IoRegistration inReg;
    private IoRegistration outReg;
    private IoRegistration farReg;
    /** Completed when the outbound direction has ended: all the link wrote is in the pipe to the peer, or failed. */
    private final CompletableFuture<Void> delivered = new CompletableFuture<>();

    private Splicer(IoEventLoop loop, FileDescriptor in, FileDescriptor out, Socket far, String name) {
        this.loop = loop;
        this.in = in;
        this.out = out;
        this.far = far;
        this.name = name;
        this.inbound = new Direction("from the peer", in, far, true);
        this.outbound = new Direction("to the peer", far, out, false);
    }

    /**
     * Starts relaying {@code in} (bytes from the peer) into {@code far} and {@code far} into {@code out} (bytes to
     * the peer) on {@code loop}. The splicer owns the three descriptors from now on.
     */
    static Splicer start(IoEventLoop loop, FileDescriptor in, FileDescriptor out, Socket far, String name) {
        Splicer s = new Splicer(loop, in, out, far, name);
        loop.execute(s::register);
        return s;
    }

    /**
     * Completes when everything the link wrote has been moved into the pipe to the peer and that pipe is closed (the
     * link's socket ended), or when that direction failed. The event loop must run until then, or the last bytes
     * (the link's CLOSE) are lost.
     */
    CompletableFuture<Void> delivered() {
        return delivered;
    }

    private void register() {
        EpollIoOps et = EpollIoOps.EPOLLET;
        int rdHup = EpollIoOps.EPOLLRDHUP.value();
        int err = EpollIoOps.EPOLLERR.value();
        inReg = registerOrFail(in, EpollIoOps.EPOLLIN.with(et), EPOLLHUP | err, () -> inbound.hungUp = true);
        farReg = registerOrFail(far, EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT).with(EpollIoOps.EPOLLRDHUP).with(et),
                EPOLLHUP | rdHup, () -> outbound.hungUp = true);
        outReg = registerOrFail(out, EpollIoOps.EPOLLOUT.with(et), EPOLLHUP | err,
                () -> outbound.fail(new IOException("the peer closed its end of the pipe")));
        if (inReg == null || outReg == null || farReg == null) {
            inbound.fail(new IOException("could not watch the relay's descriptors"));
            outbound.fail(new IOException("could not watch the relay's descriptors"));
        }
        pump();
    }

    private IoRegistration registerOrFail(FileDescriptor fd, EpollIoOps ops, int hangUps, Runnable onHangUp) {
        try {
            var f = loop.register(new Handle(fd, hangUps, onHangUp));
            if (!f.isSuccess()) { // on the loop it registers at once
                throw new IOException(f.isDone() ? String.valueOf(f.cause()) : "not registered at once");
            }
            IoRegistration r = f.getNow();
            r.submit(ops);
            return r;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "pipe link {0}: could not register {1} with epoll: {2}", name, fd,
                    e.toString());
            return null;
        }
    }

    /** Moves what can be moved in both directions now; every readiness change of any descriptor calls it. */
    private void pump() {
        inbound.pump();
        outbound.pump();
        if (inbound.ended && outbound.ended && far.isOpen()) {
            closeQuietly(farReg, far, "relay socket");
        }
    }

    private void closeQuietly(IoRegistration reg, FileDescriptor fd, String what) {
        if (reg != null) {
            reg.cancel();
        }
        try {
            fd.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "pipe link {0}: closing the {1} failed: {2}", name, what,
                    e.getMessage());
        }
    }

    /** One direction: a source, a destination, the hang-up seen on the source, and a byte read while checking it. */
    private final class Direction {
        private final String what;
        private final FileDescriptor from;
        private final FileDescriptor to;
        private final boolean fromPeer;
        private boolean hungUp;
        private boolean ended;
        /** A byte read while checking for the end, written ahead of the next splice. */
        private final ByteBuffer probe = ByteBuffer.allocateDirect(1);
        private boolean holding;

        Direction(String what, FileDescriptor from, FileDescriptor to, boolean fromPeer) {
            this.what = what;
            this.from = from;
            this.to = to;
            this.fromPeer = fromPeer;
        }

        void pump() {
            if (ended) {
                return;
            }
            try {
                while (true) {
                    if (holding) {
                        if (to.write(probe, 0, 1) <= 0) {
                            return;
                        }
                        holding = false;
                    }
                    if (Native.splice(from.intValue(), -1, to.intValue(), -1, CHUNK) > 0) {
                        continue;
                    }
                    if (!hungUp) {
                        return; // empty, or the destination is full: a readiness event comes
                    }
                    int n = from.read(probe, 0, 1);
                    if (n < 0) {
                        end();
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                    holding = true;
                }
            } catch (IOException e) {
                fail(e);
            }
        }

        /** The source ended: the socket is half-closed, or the pipe to the peer closed. */
        private void end() {
            ended = true;
            if (fromPeer) {
                try {
                    far.shutdown(false, true);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "pipe link {0}: half-closing the relay socket failed: {1}",
                            name, e.getMessage());
                }
                closeQuietly(inReg, in, "input pipe");
            } else {
                closeQuietly(outReg, out, "output pipe");
                delivered.complete(null);
            }
        }

        void fail(IOException e) {
            if (ended) {
                return;
            }
            LOG.log(System.Logger.Level.DEBUG, "pipe link {0}: relay {1} ended: {2}", name, what, e.getMessage());
            ended = true;
            holding = false;
            if (far.isOpen()) {
                try {
                    // only this direction: the other may still carry the peer's last frames and its CLOSE
                    far.shutdown(!fromPeer, fromPeer);
                    if (!fromPeer) {
                        discardQueued();
                    }
                } catch (IOException ignored) {
                    // already shut or closed; the link sees its end either way
                }
            }
            if (fromPeer) {
                closeQuietly(inReg, in, "input pipe");
            } else {
                closeQuietly(outReg, out, "output pipe");
                delivered.complete(null);
            }
        }
    }

    /**
     * Reads and drops what the link wrote before the pipe to the peer broke (it can go nowhere; later writes are
     * refused): a socket closed with unread bytes resets its peer, which would lose the peer's last frames that the
     * link has not read yet.
     */
    private void discardQueued() throws IOException {
        ByteBuffer sink = ByteBuffer.allocateDirect(64 * 1024);
        while (far.read(sink, 0, sink.capacity()) > 0) {
            // dropped
        }
    }

    /** One descriptor on the event loop: a hang-up is noted, and any event pumps both directions. */
    private final class Handle implements EpollIoHandle {
        private final FileDescriptor fd;
        private final int hangUps;
        private final Runnable onHangUp;

        Handle(FileDescriptor fd, int hangUps, Runnable onHangUp) {
            this.fd = fd;
            this.hangUps = hangUps;
            this.onHangUp = onHangUp;
        }

        @Override
        public FileDescriptor fd() {
            return fd;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            if ((((EpollIoEvent) event).ops().value() & hangUps) != 0) {
                onHangUp.run();
            }
            pump();
        }

        @Override
        public void close() throws IOException {
            // the event loop is shutting down: nothing will pump again
            delivered.complete(null);
            if (fd.isOpen()) {
                fd.close();
            }
        }
    }
}
