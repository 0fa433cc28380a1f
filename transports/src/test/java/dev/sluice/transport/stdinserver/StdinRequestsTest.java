package dev.sluice.transport.stdinserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.transport.PeerIdentity;
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
    private final List<Process> children = new ArrayList<>();
    private StdinRequests requests;

    private record Served(FileChannel in, FileChannel out, CompletableFuture<Integer> status) {
    }

    @BeforeEach
    void start() throws IOException {
        requests = StdinRequests.start(dir, ID, (in, out) -> {
            CompletableFuture<Integer> status = new CompletableFuture<>();
            served.add(new Served(in, out, status));
            return status;
        });
    }

    @AfterEach
    void stop() throws IOException {
        requests.close();
        for (Process p : children) {
            p.destroyForcibly();
        }
        for (Served s : served) {
            s.in.close();
            s.out.close();
        }
    }

    /**
     * A child whose stdin and stdout are pipes to this test, as sshd gives a forced command, and which holds its
     * reply FIFO as descriptor 4 like the launcher (the FIFO is made first, under the name of the child's id, which
     * is not known before the child exists: a temporary name, renamed once it is).
     */
    private Process forcedCommand() throws Exception {
        return forcedCommand(new ProcessBuilder());
    }

    private Process forcedCommand(ProcessBuilder pb) throws Exception {
        Path early = dir.resolve("reply-" + System.nanoTime());
        mkfifo(early);
        Process p = pb.command("bash", "-c", "exec 4<>\"$0\"; exec sleep 120", early.toString()).start();
        children.add(p);
        // the shell has the FIFO open once /proc shows it as descriptor 4
        Path four = Path.of("/proc/" + p.pid() + "/fd/4");
        for (int i = 0; i < 500 && !Files.exists(four); i++) {
            Thread.sleep(10);
        }
        Files.move(early, StdinServerSpec.reply(dir, ID, p.pid()));
        return p;
    }

    /** The launcher's side of a request: its reply FIFO (made already), open for reading and writing, and the line. */
    private FileChannel ask(long pid) throws Exception {
        Path reply = StdinServerSpec.reply(dir, ID, pid);
        if (!Files.exists(reply)) {
            mkfifo(reply);
        }
        FileChannel answers = FileChannel.open(reply, StandardOpenOption.READ, StandardOpenOption.WRITE);
        send(pid + "\n");
        return answers;
    }

    private void send(String text) throws IOException {
        try (FileChannel fifo = FileChannel.open(StdinServerSpec.fifo(dir, ID), StandardOpenOption.WRITE)) {
            fifo.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    private static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", "-m", "600", p.toString()).inheritIO().start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo " + p);
    }

    /** One line from the reply FIFO, waiting at most 10 s. */
    private static String line(FileChannel answers) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            StringBuilder b = new StringBuilder();
            ByteBuffer one = ByteBuffer.allocate(1);
            try {
                while (answers.read(one.clear()) == 1 && one.get(0) != '\n') {
                    b.append((char) one.get(0));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return b.toString();
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aForcedCommandsPipesBecomeTheLinkAndItsStatusGoesBack() throws Exception {
        Process client = forcedCommand();
        FileChannel answers = ask(client.pid());
        assertEquals("ok", line(answers));
        assertFalse(Files.exists(StdinServerSpec.reply(dir, ID, client.pid())), "the reply's name is removed");
        Served s = served.poll(10, TimeUnit.SECONDS);

        // the right pipes in the right directions: what ssh writes to the command's stdin arrives at `in`, what
        // `out` writes arrives where ssh reads the command's stdout
        client.getOutputStream().write("from ssh".getBytes(StandardCharsets.US_ASCII));
        client.getOutputStream().flush();
        ByteBuffer got = ByteBuffer.allocate(8);
        while (got.hasRemaining() && s.in.read(got) > 0) {
            // until all eight bytes are read
        }
        assertArrayEquals("from ssh".getBytes(StandardCharsets.US_ASCII), got.array());
        s.out.write(ByteBuffer.wrap("to ssh".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals("to ssh".getBytes(StandardCharsets.US_ASCII), client.getInputStream().readNBytes(6));

        s.status.complete(0);
        assertEquals("status 0", line(answers));
    }

    @Test
    void aSessionThatFailsEndsWithStatusOne() throws Exception {
        Process client = forcedCommand();
        FileChannel answers = ask(client.pid());
        assertEquals("ok", line(answers));
        served.poll(10, TimeUnit.SECONDS).status.completeExceptionally(new IOException("the link failed"));
        assertEquals("status 1", line(answers));
    }

    @Test
    void aProcessWhoseStdinIsNotAPipeIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("input"), "not ssh\n");
        Process client = forcedCommand(new ProcessBuilder().redirectInput(file.toFile()));
        String answer = line(ask(client.pid()));
        assertTrue(answer.startsWith("refused its stdin is " + file) && answer.endsWith("not a pipe (run it as an"
                + " ssh forced command)"), answer);
        assertNull(served.poll(200, TimeUnit.MILLISECONDS), "nothing was served");
    }

    @Test
    void aProcessThatDoesNotHoldTheReplyIsRefused() throws Exception {
        // another process of this user, with pipes, named in a request whose reply it never opened
        Process other = new ProcessBuilder("sleep", "120").start();
        children.add(other);
        String answer = line(ask(other.pid()));
        assertEquals("refused process " + other.pid() + " does not hold its reply FIFO as descriptor 4", answer);
        assertNull(served.poll(200, TimeUnit.MILLISECONDS), "nothing was served");
    }

    @Test
    void aProcessThatHasEndedIsRefused() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        String answer = line(ask(gone.pid()));
        assertTrue(answer.startsWith("refused there is no process " + gone.pid()), answer);
        assertNull(served.poll(200, TimeUnit.MILLISECONDS), "nothing was served");
    }

    @Test
    void malformedStaleAndForgedRequestsAreIgnoredAndTheNextOneIsServed() throws Exception {
        send("web-1\n0\n-5\n" + "9".repeat(40) + "\n\n");
        Process stale = forcedCommand();
        Files.delete(StdinServerSpec.reply(dir, ID, stale.pid()));
        send(stale.pid() + "\n"); // no reply FIFO: nobody to answer
        Process forged = forcedCommand();
        Path notAFifo = StdinServerSpec.reply(dir, ID, forged.pid());
        Files.delete(notAFifo);
        Files.writeString(notAFifo, "a plain file");
        send(forged.pid() + "\n");

        Process client = forcedCommand();
        FileChannel answers = ask(client.pid());
        assertEquals("ok", line(answers), "the reader went on after the bad requests");
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
