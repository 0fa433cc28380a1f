package dev.sluice.transport.stdinserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.transport.PeerIdentity;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stdinserver's FIFO, driven as the launcher drives it (a reply FIFO of the client's own, its process id
 * written into {@code ID.fifo}) by real child processes whose stdin and stdout are pipes, and by requests that
 * are malformed, stale or about processes that are not a forced command.
 */
class StdinRequestsTest {
    private static final PeerIdentity ID = new PeerIdentity("web-1");

    @TempDir
    Path dir;

    /** The pipes handed to the link side, and the status each session ends with. */
    private final BlockingQueue<Served> served = new LinkedBlockingQueue<>();
    private FifoClients clients;
    private StdinRequests requests;

    private record Served(FileDescriptor in, FileDescriptor out, CompletableFuture<Integer> status) {
    }

    @BeforeEach
    void start() throws IOException {
        clients = new FifoClients(dir, ID);
        requests = StdinRequests.start(dir, ID, (in, out) -> {
            CompletableFuture<Integer> status = new CompletableFuture<>();
            served.add(new Served(in, out, status));
            return status;
        });
    }

    @AfterEach
    void stop() throws IOException {
        requests.close();
        clients.close();
        for (Served s : served) {
            s.in.close();
            s.out.close();
        }
    }

    @Test
    void aForcedCommandsPipesBecomeTheLinkAndItsStatusGoesBack() throws Exception {
        Process client = clients.forcedCommand();
        FileChannel answers = clients.ask(client.pid());
        assertEquals("ok", FifoClients.line(answers));
        assertFalse(Files.exists(StdinServerSpec.reply(dir, ID, client.pid())), "the reply's name is removed");
        Served s = served.poll(10, TimeUnit.SECONDS);

        // the right pipes in the right directions: what ssh writes to the command's stdin arrives at `in`, what
        // `out` writes arrives where ssh reads the command's stdout
        client.getOutputStream().write("from ssh".getBytes(StandardCharsets.US_ASCII));
        client.getOutputStream().flush();
        // the descriptors are raw and non-blocking (for the splicer): read until all eight bytes are there
        ByteBuffer got = ByteBuffer.allocateDirect(8);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.hasRemaining() && System.nanoTime() < deadline) {
            int n = s.in.read(got, got.position(), got.limit());
            assertTrue(n >= 0, "the pipe from ssh ended early");
            got.position(got.position() + n);
            if (n == 0) {
                Thread.sleep(5);
            }
        }
        byte[] read = new byte[8];
        got.flip().get(read);
        assertArrayEquals("from ssh".getBytes(StandardCharsets.US_ASCII), read);
        ByteBuffer toSsh = ByteBuffer.allocateDirect(6).put("to ssh".getBytes(StandardCharsets.US_ASCII)).flip();
        assertEquals(6, s.out.write(toSsh, 0, 6));
        assertArrayEquals("to ssh".getBytes(StandardCharsets.US_ASCII), client.getInputStream().readNBytes(6));

        s.status.complete(0);
        assertEquals("status 0", FifoClients.line(answers));
    }

    @Test
    void aSessionThatFailsEndsWithStatusOne() throws Exception {
        Process client = clients.forcedCommand();
        FileChannel answers = clients.ask(client.pid());
        assertEquals("ok", FifoClients.line(answers));
        served.poll(10, TimeUnit.SECONDS).status.completeExceptionally(new IOException("the link failed"));
        assertEquals("status 1", FifoClients.line(answers));
    }

    @Test
    void aProcessWhoseStdinIsNotAPipeIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("input"), "not ssh\n");
        Process client = clients.forcedCommand(new ProcessBuilder().redirectInput(file.toFile()));
        String answer = FifoClients.line(clients.ask(client.pid()));
        assertTrue(answer.startsWith("refused its stdin is " + file) && answer.endsWith("not a pipe (run it as an"
                + " ssh forced command)"), answer);
        assertNull(served.poll(200, TimeUnit.MILLISECONDS), "nothing was served");
    }

    @Test
    void aProcessThatDoesNotHoldTheReplyIsRefused() throws Exception {
        // another process of this user, with pipes, named in a request whose reply it never opened
        Process other = clients.track(new ProcessBuilder("sleep", "120").start());
        String answer = FifoClients.line(clients.ask(other.pid()));
        assertEquals("refused process " + other.pid() + " does not hold its reply FIFO as descriptor 4", answer);
        assertNull(served.poll(200, TimeUnit.MILLISECONDS), "nothing was served");
    }

    @Test
    void aProcessThatHasEndedIsRefused() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        String answer = FifoClients.line(clients.ask(gone.pid()));
        assertTrue(answer.startsWith("refused there is no process " + gone.pid()), answer);
        assertNull(served.poll(200, TimeUnit.MILLISECONDS), "nothing was served");
    }

    @Test
    void malformedStaleAndForgedRequestsAreIgnoredAndTheNextOneIsServed() throws Exception {
        clients.send("web-1\n0\n-5\n" + "9".repeat(40) + "\n\n");
        Process stale = clients.forcedCommand();
        Files.delete(StdinServerSpec.reply(dir, ID, stale.pid()));
        clients.send(stale.pid() + "\n"); // no reply FIFO: nobody to answer
        Process forged = clients.forcedCommand();
        Path notAFifo = StdinServerSpec.reply(dir, ID, forged.pid());
        Files.delete(notAFifo);
        Files.writeString(notAFifo, "a plain file");
        clients.send(forged.pid() + "\n");

        Process client = clients.forcedCommand();
        FileChannel answers = clients.ask(client.pid());
        assertEquals("ok", FifoClients.line(answers), "the reader went on after the bad requests");
        Served s = served.poll(10, TimeUnit.SECONDS);
        assertTrue(s != null, "the last request was served");
        assertNull(served.poll(200, TimeUnit.MILLISECONDS), "only the last request was served");
        served.add(s); // closed after the test
        assertEquals("a plain file", Files.readString(notAFifo), "a reply that is not a FIFO is not touched");
    }

    @Test
    void closingRemovesTheFifoAndStaleOnesAreRemovedOnStart() throws Exception {
        Path fifo = StdinServerSpec.fifo(dir, ID);
        assertEquals("web-1." + ProcessHandle.current().pid() + ".fifo", fifo.getFileName().toString());
        requests.close();
        assertFalse(Files.exists(fifo));

        Files.writeString(fifo, "left by a crash of a daemon with this process id");
        Path older = Files.writeString(dir.resolve("web-1.12345.fifo"), "left by another crashed daemon");
        Path otherIdentity = Files.writeString(dir.resolve("web-1.x.12345.fifo"), "identity web-1.x's");
        requests = StdinRequests.start(dir, ID, (in, out) -> new CompletableFuture<>());
        int mode = ((Number) Files.getAttribute(fifo, "unix:mode")).intValue();
        assertEquals(0010600, mode, Integer.toOctalString(mode));
        assertFalse(Files.exists(older), "a stale FIFO of this identity is removed");
        assertTrue(Files.exists(otherIdentity), "another identity's FIFO is left alone");
    }
}
