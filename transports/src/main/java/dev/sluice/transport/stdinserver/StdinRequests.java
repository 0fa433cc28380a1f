package dev.sluice.transport.stdinserver;

import dev.sluice.transport.PeerIdentity;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The stdinserver's way in for a client that is not a JVM (the {@code sluice} launcher, a bash script, as ssh
 * forced command): a FIFO {@code ID.DAEMONPID.fifo} per client identity beside its socket (the daemon's process
 * id tells a client whether it is alive). The client makes its own FIFO {@code ID.PID.reply}, writes its process
 * id and a newline into the daemon's FIFO, and waits on the reply. This
 * side then
 * <ol>
 *   <li>opens the reply (it must be a FIFO in this private directory) and removes its name;</li>
 *   <li>checks that the process holds that reply as its descriptor 4 (so the id is bound to whoever made the
 *       reply), then opens its stdin and stdout again through {@code /proc/PID/fd/0} and {@code /proc/PID/fd/1}:
 *       both must be pipes (ssh's), and the process's start time must be the same before and after, so a process
 *       id that was reused in between is refused;</li>
 *   <li>answers {@code ok}, serves the link as client ID, and writes {@code status N} (0 when the link ended
 *       normally, 1 otherwise) when the link has ended, then closes the reply: the client exits with N, or with
 *       255 when the reply ends without a status (this daemon went away).</li>
 * </ol>
 * A request that fails a check is answered with {@code refused REASON} (when its reply can be opened) and logged.
 * The identity is the FIFO's name and never anything the client writes, as with the socket: only this user can
 * enter the directory ({@link RuntimeDirectory}). The opened pipes are raw descriptors ({@link ProcessPipes}), so the
 * link splices them in the kernel as it does pipes passed over the socket (docs/transports.md "stdinserver without a
 * JVM").
 */
final class StdinRequests implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(StdinRequests.class.getName());
    /** A request is a process id: at most 10 digits and a newline; longer lines are dropped. */
    static final int MAX_LINE = 16;
    /** The descriptor on which a client holds its reply FIFO while it asks (the launcher's {@code exec 4<>}). */
    static final int REPLY_FD = 4;
    private static final Pattern PID = Pattern.compile("[1-9][0-9]{0,9}");

    /** Serves a client's two pipes as a link (spliced: no copy through the JVM); completes with the client's status. */
    @FunctionalInterface
    interface Serve {
        /** {@code in} and {@code out} are the process's pipes, opened non-blocking; they are the callee's to close. */
        CompletableFuture<Integer> serve(FileDescriptor in, FileDescriptor out);
    }

    private final Path dir;
    private final PeerIdentity id;
    private final Path fifo;
    private final FileChannel requests;
    private final Serve serve;
    private final Thread reader;

    private StdinRequests(Path dir, PeerIdentity id, Path fifo, FileChannel requests, Serve serve) {
        this.dir = dir;
        this.id = id;
        this.fifo = fifo;
        this.requests = requests;
        this.serve = serve;
        this.reader = new Thread(this::read, "sluice-stdinserver-requests-" + id);
        reader.setDaemon(true);
    }

    /**
     * Makes {@code dir/ID.DAEMONPID.fifo} (removing the FIFOs of ID that earlier daemon processes left) and starts
     * reading requests from it.
     */
    static StdinRequests start(Path dir, PeerIdentity id, Serve serve) throws IOException {
        Path fifo = StdinServerSpec.fifo(dir, id);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, p -> isFifoName(p.getFileName().toString(), id))) {
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
        }
        mkfifo(fifo);
        // read and write: opening does not wait for a writer, and reading never sees an end between clients
        FileChannel requests = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
        StdinRequests r = new StdinRequests(dir, id, fifo, requests, serve);
        r.reader.start();
        return r;
    }

    /** Whether {@code name} is {@code ID.DAEMONPID.fifo} for {@code id}, made by any daemon process. */
    static boolean isFifoName(String name, PeerIdentity id) {
        String prefix = id.name() + ".";
        return name.startsWith(prefix) && name.endsWith(".fifo")
                && PID.matcher(name.substring(prefix.length(), name.length() - ".fifo".length())).matches();
    }

    private static void mkfifo(Path fifo) throws IOException {
        Process p = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("mkfifo " + fifo + " failed: " + said);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making " + fifo, e);
        }
    }

    /** Stops reading requests and removes the FIFO; sessions in progress go on. */
    @Override
    public void close() {
        try {
            requests.close();
            reader.join(TimeUnit.SECONDS.toMillis(5));
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove stdinserver FIFO {0}: {1}", fifo, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void read() {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        StringBuilder line = new StringBuilder();
        boolean tooLong = false;
        try {
            while (requests.read(buf.clear()) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    char c = (char) (buf.get() & 0xff);
                    if (c != '\n') {
                        if (line.length() < MAX_LINE) {
                            line.append(c);
                        } else {
                            tooLong = true;
                        }
                        continue;
                    }
                    if (tooLong) {
                        LOG.log(System.Logger.Level.WARNING, "stdinserver FIFO of client ''{0}'': a request longer"
                                + " than {1} bytes was dropped", id, MAX_LINE);
                    } else {
                        request(line.toString());
                    }
                    line.setLength(0);
                    tooLong = false;
                }
            }
        } catch (ClosedChannelException stopped) {
            // close()
        } catch (IOException | RuntimeException e) {
            if (requests.isOpen()) {
                LOG.log(System.Logger.Level.ERROR, "stdinserver FIFO of client ''{0}'' failed; clients that are not"
                        + " a JVM can no longer reach this daemon: {1}", id, e.toString());
            }
        }
    }

    /** Handles one request line; every failure is logged and, where the reply can be reached, answered. */
    void request(String line) {
        if (!PID.matcher(line).matches()) {
            LOG.log(System.Logger.Level.WARNING, "stdinserver FIFO of client ''{0}'': ignored a request that is not"
                    + " a process id: {1}", id, printable(line));
            return;
        }
        long pid = Long.parseLong(line);
        Path reply = StdinServerSpec.reply(dir, id, pid);
        FileChannel answer;
        List<Object> replyInode;
        try {
            Map<String, Object> a;
            try {
                a = Files.readAttributes(reply, "unix:mode,dev,ino", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException missing) {
                throw new IOException(reply.getFileName() + " does not exist", missing);
            }
            if ((((Number) a.get("mode")).intValue() & 0170000) != 0010000) {
                LOG.log(System.Logger.Level.WARNING, "stdinserver FIFO of client ''{0}'': {1} is not a FIFO; request"
                        + " of process {2} ignored", id, reply.getFileName(), line);
                return;
            }
            replyInode = inode(a);
            answer = FileChannel.open(reply, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "stdinserver FIFO of client ''{0}'': no reply FIFO for process {1}:"
                    + " {2}", id, line, e.toString());
            return;
        }
        FileDescriptor in = null;
        FileDescriptor out = null;
        try {
            Instant started = startTime(pid);
            holdsReply(pid, replyInode);
            in = ProcessPipes.open(pid, 0);
            out = ProcessPipes.open(pid, 1);
            if (!started.equals(startTime(pid))) {
                throw new IOException("process " + pid + " ended while its pipes were opened");
            }
        } catch (IOException e) {
            closeQuietly(in);
            closeQuietly(out);
            LOG.log(System.Logger.Level.WARNING, "stdinserver FIFO of client ''{0}'': refused process {1}: {2}", id,
                    line, e.getMessage());
            say(answer, "refused " + e.getMessage());
            closeQuietly(answer);
            return;
        } finally {
            removeQuietly(reply);
        }
        LOG.log(System.Logger.Level.INFO, "stdinserver client ''{0}'' came through its FIFO (process {1})", id, line);
        if (!say(answer, "ok")) {
            closeQuietly(in);
            closeQuietly(out);
            closeQuietly(answer);
            return;
        }
        serve.serve(in, out).whenComplete((status, failure) -> {
            say(answer, "status " + (failure == null ? status : 1));
            closeQuietly(answer);
        });
    }

    /**
     * Checks that process {@code pid} holds the reply FIFO (device and inode {@code replyInode}) as its descriptor
     * {@link #REPLY_FD}, as the launcher does: the process id in the request is bound to whoever made and opened
     * the reply, not just to any process of this user that has that id now.
     */
    private static void holdsReply(long pid, List<Object> replyInode) throws IOException {
        List<Object> held;
        try {
            held = inode(Files.readAttributes(Path.of("/proc/" + pid + "/fd/" + REPLY_FD), "unix:dev,ino"));
        } catch (NoSuchFileException none) {
            throw new IOException("process " + pid + " does not hold its reply FIFO as descriptor " + REPLY_FD, none);
        }
        if (!held.equals(replyInode)) {
            throw new IOException("process " + pid + " holds another file than its reply FIFO as descriptor "
                    + REPLY_FD);
        }
    }

    /** Device and inode from {@code unix:} attributes, comparable with {@code equals}. */
    private static List<Object> inode(Map<String, Object> unixAttributes) {
        return List.of(unixAttributes.get("dev"), unixAttributes.get("ino"));
    }

    private static void removeQuietly(Path reply) {
        try {
            Files.deleteIfExists(reply);
        } catch (IOException e) {
            // only a name left behind in the private directory; the client removes it when it gives up
            LOG.log(System.Logger.Level.DEBUG, "could not remove {0}: {1}", reply, e.toString());
        }
    }

    /** The process's start time, as the JDK reads it (from {@code /proc/PID/stat}): the same for the same process. */
    private static Instant startTime(long pid) throws IOException {
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new IOException("there is no process " + pid));
        return h.info().startInstant()
                .orElseThrow(() -> new IOException("cannot read the start time of process " + pid));
    }

    /** Writes one line to the client's reply FIFO; false when it cannot be written (the client is gone). */
    private boolean say(FileChannel answer, String line) {
        try {
            ByteBuffer b = ByteBuffer.wrap((line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                answer.write(b);
            }
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "stdinserver FIFO of client ''{0}'': could not answer: {1}", id,
                    e.toString());
            return false;
        }
    }

    private static void closeQuietly(FileDescriptor fd) {
        closeQuietly(fd == null ? null : fd::close);
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return b.toString();
    }
}
