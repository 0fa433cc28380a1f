package dev.sluice.transport.stdinserver;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Child processes that play the launcher's part at a stdinserver FIFO ({@link StdinRequests}) for one identity: each
 * holds its reply FIFO as descriptor 4, and its stdin and stdout are pipes to the test, as sshd gives a forced
 * command. Closing stops the children this object started or was given.
 */
final class FifoClients implements AutoCloseable {
    private final Path dir;
    private final PeerIdentity id;
    private final List<Process> children = new ArrayList<>();

    FifoClients(Path dir, PeerIdentity id) {
        this.dir = dir;
        this.id = id;
    }

    /** A forced command with pipes for stdin and stdout. */
    Process forcedCommand() throws Exception {
        return forcedCommand(new ProcessBuilder());
    }

    /**
     * A child started from {@code pb} (its redirects as given) that holds its reply FIFO as descriptor 4 like the
     * launcher (the FIFO is made first, under the name of the child's id, which is not known before the child exists:
     * a temporary name, renamed once it is).
     */
    Process forcedCommand(ProcessBuilder pb) throws Exception {
        Path early = dir.resolve("reply-" + System.nanoTime());
        mkfifo(early);
        Process p = track(pb.command("bash", "-c", "exec 4<>\"$0\"; exec sleep 120", early.toString()).start());
        // the shell has the FIFO open once /proc shows it as descriptor 4
        Path four = Path.of("/proc/" + p.pid() + "/fd/4");
        for (int i = 0; i < 500 && !Files.exists(four); i++) {
            Thread.sleep(10);
        }
        Files.move(early, StdinServerSpec.reply(dir, id, p.pid()));
        return p;
    }

    /** {@code p}, stopped when this object is closed. */
    Process track(Process p) {
        children.add(p);
        return p;
    }

    /** The launcher's side of a request: its reply FIFO (made already), open for reading and writing, and the line. */
    FileChannel ask(long pid) throws Exception {
        Path reply = StdinServerSpec.reply(dir, id, pid);
        if (!Files.exists(reply)) {
            mkfifo(reply);
        }
        FileChannel answers = FileChannel.open(reply, StandardOpenOption.READ, StandardOpenOption.WRITE);
        send(pid + "\n");
        return answers;
    }

    /** Writes {@code text} into the daemon's FIFO for this identity. */
    void send(String text) throws IOException {
        try (FileChannel fifo = FileChannel.open(StdinServerSpec.fifo(dir, id), StandardOpenOption.WRITE)) {
            fifo.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    /** One line from the reply FIFO, waiting at most 10 s. */
    static String line(FileChannel answers) throws Exception {
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

    private static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", "-m", "600", p.toString()).inheritIO().start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo " + p);
    }

    @Override
    public void close() {
        for (Process p : children) {
            p.destroyForcibly();
        }
    }
}
