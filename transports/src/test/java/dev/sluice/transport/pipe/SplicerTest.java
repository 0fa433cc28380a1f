package dev.sluice.transport.pipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The splicer on real pipes and a real socket pair, in the state where {@code splice} answers 0 although bytes
 * are left: the source has hung up and the destination is full. Nothing may be lost and the end must follow.
 */
@Timeout(60)
class SplicerTest {

    static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());

    @AfterAll
    static void stop() {
        GROUP.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aHungUpPipeBehindAFullSocketIsDeliveredToTheLastByteThenTheEnd(@TempDir Path dir) throws Exception {
        Socket[] pair = socketPair(dir);
        Socket near = pair[0];
        Socket far = pair[1];
        byte[] filler = fill(far); // the socket is full before the splicer starts
        FileDescriptor[] fromPeer = FileDescriptor.pipe();
        FileDescriptor[] toPeer = FileDescriptor.pipe();
        byte[] last = random(60 * 1024, 1);
        writeAll(fromPeer[1], last);
        fromPeer[1].close(); // the peer hangs up with its last bytes still in the pipe
        Splicer.start((IoEventLoop) GROUP.next(), fromPeer[0], toPeer[1], far, "test");
        Thread.sleep(200); // let it see the hang-up while the socket is still full
        byte[] got = readToEnd(near);
        assertEquals(filler.length + last.length, got.length, "bytes delivered");
        assertArrayEquals(last, java.util.Arrays.copyOfRange(got, filler.length, got.length));
        near.close();
        awaitClosed(fromPeer[0]);
        awaitClosed(toPeer[1]);
        awaitClosed(far);
        toPeer[0].close();
    }

    @Test
    void aSocketThatEndsBehindAFullPipeIsDeliveredToTheLastByteThenThePipeCloses(@TempDir Path dir)
            throws Exception {
        Socket[] pair = socketPair(dir);
        Socket near = pair[0];
        Socket far = pair[1];
        FileDescriptor[] fromPeer = FileDescriptor.pipe();
        FileDescriptor[] toPeer = FileDescriptor.pipe();
        byte[] filler = fill(toPeer[1]); // the pipe to the peer is full before the splicer starts
        byte[] last = random(40 * 1024, 2);
        writeAll(near, last);
        near.shutdown(false, true); // the link's side ends with its last bytes still in the socket
        Splicer.start((IoEventLoop) GROUP.next(), fromPeer[0], toPeer[1], far, "test");
        Thread.sleep(200);
        byte[] got = readToEnd(toPeer[0]);
        assertEquals(filler.length + last.length, got.length, "bytes delivered");
        assertArrayEquals(last, java.util.Arrays.copyOfRange(got, filler.length, got.length));
        fromPeer[1].close();
        awaitClosed(fromPeer[0]);
        awaitClosed(far);
        near.close();
        toPeer[0].close();
    }

    /**
     * The peer stops reading (its end of the pipe to it is closed) but has written its last bytes: the link's writes
     * fail from then on, and it still reads the peer's bytes and then the end when the peer's pipe ends.
     */
    @Test
    void aPeerThatStopsReadingFailsTheLinksWritesAndItsLastBytesStillArrive(@TempDir Path dir) throws Exception {
        Socket[] pair = socketPair(dir);
        Socket near = pair[0];
        FileDescriptor[] fromPeer = FileDescriptor.pipe();
        FileDescriptor[] toPeer = FileDescriptor.pipe();
        Splicer.start((IoEventLoop) GROUP.next(), fromPeer[0], toPeer[1], pair[1], "test");
        byte[] last = random(1000, 5);
        writeAll(fromPeer[1], last);
        toPeer[0].close(); // the peer stops reading
        boolean refused = false;
        for (int i = 0; i < 400 && !refused; i++) {
            try {
                writeAll(near, random(1024, 3));
                Thread.sleep(25);
            } catch (IOException shut) {
                refused = true;
            }
        }
        assertTrue(refused, "the link could still write after the pipe to the peer broke");
        awaitClosed(toPeer[1]);
        fromPeer[1].close();
        assertArrayEquals(last, readToEnd(near), "the peer's last bytes, then the end");
        awaitClosed(fromPeer[0]);
        awaitClosed(pair[1]);
        near.close();
    }

    private static int readOrReset(Socket s, ByteBuffer b) {
        try {
            return s.read(b, 0, b.capacity());
        } catch (IOException reset) {
            return -1;
        }
    }

    private static Socket[] socketPair(Path dir) throws IOException {
        Path sock = dir.resolve("s");
        Socket server = Socket.newSocketDomain();
        try {
            server.bind(new DomainSocketAddress(sock.toString()));
            server.listen(1);
            Socket near = Socket.newSocketDomain();
            near.connect(new DomainSocketAddress(sock.toString()));
            int fd = server.accept(new byte[Socket.UDS_SUN_PATH_SIZE + 16]);
            assertTrue(fd >= 0, "accepted");
            return new Socket[] {near, new Socket(fd)};
        } finally {
            server.close();
            Files.deleteIfExists(sock);
        }
    }

    /** Writes zeros to a non-blocking descriptor until it takes no more; returns what was written. */
    private static byte[] fill(FileDescriptor fd) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect(4096);
        int total = 0;
        int n;
        while ((n = fd.write(zeros, 0, zeros.capacity())) > 0) {
            total += n;
        }
        assertTrue(total > 0);
        return new byte[total];
    }

    private static void writeAll(FileDescriptor fd, byte[] bytes) throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        while (b.hasRemaining()) {
            int n = fd.write(b, b.position(), b.limit());
            if (n == 0) {
                Thread.sleep(1);
            }
            b.position(b.position() + n);
        }
    }

    private static byte[] readToEnd(FileDescriptor fd) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            int n = fd.read(b, 0, b.capacity());
            if (n < 0) {
                return got.toByteArray();
            }
            if (n == 0) {
                Thread.sleep(1);
                continue;
            }
            byte[] part = new byte[n];
            b.get(0, part);
            got.write(part);
        }
        throw new AssertionError("no end after " + got.size() + " bytes");
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void awaitClosed(FileDescriptor fd) throws InterruptedException {
        for (int i = 0; i < 200 && fd.isOpen(); i++) {
            Thread.sleep(25);
        }
        assertFalse(fd.isOpen(), fd + " was left open");
    }
}
