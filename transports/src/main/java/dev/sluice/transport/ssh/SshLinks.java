package dev.sluice.transport.ssh;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.ForwardingLink;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import dev.sluice.transport.pipe.ChildPipes;
import dev.sluice.transport.pipe.PipeLinks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The ssh transport's connect side: runs the system {@code ssh} (batch mode, empty
 * environment, no terminal) with the remote command, and makes its stdin/stdout a
 * {@link Link}. ssh's stderr goes line by line to a log callback, and when the link fails
 * the reason names ssh's exit status and its last stderr lines.
 */
public final class SshLinks {

    private static final System.Logger LOG = System.getLogger(SshLinks.class.getName());
    private static final int TAIL_LINES = 5;

    private final PipeLinks pipes;
    private final String sshProgram;
    private final Consumer<String> stderrLog;
    private final Duration exitWait;

    /**
     * @param pipes      carries the link
     * @param sshProgram the ssh executable ("ssh" is looked up in the PATH of this process)
     * @param stderrLog  receives each line ssh writes to stderr, prefixed with the destination
     * @param exitWait   how long to wait for ssh to exit after the link ended before killing it
     */
    public SshLinks(PipeLinks pipes, String sshProgram, Consumer<String> stderrLog, Duration exitWait) {
        this.pipes = pipes;
        this.sshProgram = sshProgram;
        this.stderrLog = stderrLog;
        this.exitWait = exitWait;
    }

    /** The ssh command line for {@code spec} (no shell is involved). */
    public List<String> command(SshSpec spec) {
        List<String> c = new ArrayList<>(List.of(sshProgram, "-T", "-e", "none",
                "-i", spec.identityFile().toString(), "-p", Integer.toString(spec.port()),
                "-l", spec.user(), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes"));
        for (String o : spec.options()) {
            c.add("-o");
            c.add(o);
        }
        c.add("--");
        c.add(spec.host());
        c.add(spec.remoteCommand());
        return c;
    }

    /** Starts ssh and runs the link handshake over it; fails with a {@link LinkClosedException} naming ssh's exit. */
    public Mono<Link> connect(SshSpec spec) {
        return Mono.defer(() -> {
            String where = spec.user() + "@" + spec.host() + ":" + spec.port();
            ProcessBuilder pb = new ProcessBuilder(command(spec));
            pb.environment().clear();
            Optional<ChildPipes> child = ChildPipes.redirect(pb);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                child.ifPresent(ChildPipes::abandon);
                return Mono.error(new LinkClosedException(CloseReason.of(CloseReason.Code.TRANSPORT_ERROR,
                        "could not run '" + sshProgram + "' to reach " + where + ": " + e.getMessage()), e));
            }
            child.ifPresent(ChildPipes::started);
            Session s = new Session(p, where);
            s.startStderr();
            return open(p, child, "ssh " + where, spec)
                    .onErrorResume(LinkClosedException.class, e -> s.explain(e.reason())
                            .flatMap(r -> Mono.error(new LinkClosedException(r, e))))
                    .map(link -> {
                        link.onClose().subscribe(r -> s.reap());
                        return (Link) new SshLink(link, s);
                    });
        });
    }

    /**
     * The link over the child's stdin and stdout: pipes made for it ({@link ChildPipes}), so that the kernel moves
     * the bytes; the {@link Process}'s own buffered streams only where that is not possible.
     */
    private Mono<Link> open(Process p, Optional<ChildPipes> child, String name, SshSpec spec) {
        if (child.isPresent()) {
            return pipes.open(child.get().fromChild(), child.get().toChild(), name, spec.link(), spec.expectedPeer(),
                    true);
        }
        return pipes.open(p.getInputStream(), p.getOutputStream(), name, spec.link(), spec.expectedPeer(), true);
    }

    /** One ssh child: its stderr tail and its exit. */
    private final class Session {
        private final Process process;
        private final String where;
        private final Deque<String> tail = new ArrayDeque<>();
        private final Mono<String> exit;

        Session(Process process, String where) {
            this.process = process;
            this.where = where;
            this.exit = Mono.fromFuture(process.onExit())
                    .map(x -> "ssh to " + where + " exited with status " + x.exitValue())
                    .timeout(exitWait, Mono.fromCallable(() -> {
                        process.destroyForcibly();
                        return "ssh to " + where + " did not exit within " + exitWait.toSeconds()
                                + " s after the link ended and was killed";
                    }))
                    .cache();
        }

        void startStderr() {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (tail) {
                            tail.addLast(line);
                            if (tail.size() > TAIL_LINES) {
                                tail.removeFirst();
                            }
                        }
                        stderrLog.accept("ssh " + where + ": " + line);
                    }
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "reading the stderr of ssh to {0} failed: {1}", where,
                            e.getMessage());
                }
            }, "sluice-ssh-stderr " + where);
            t.setDaemon(true);
            t.start();
        }

        /** The reason with ssh's exit status and last stderr lines appended (waits for ssh to end). */
        Mono<CloseReason> explain(CloseReason r) {
            if (r.isNormal()) {
                return Mono.just(r);
            }
            return exit.map(status -> {
                String stderr;
                synchronized (tail) {
                    stderr = String.join(" | ", tail);
                }
                return new CloseReason(r.code(), r.detail() + "; " + status
                        + (stderr.isEmpty() ? "" : ", stderr: " + stderr), r.byPeer());
            });
        }

        void reap() {
            exit.subscribe(status -> LOG.log(System.Logger.Level.DEBUG, status));
        }
    }

    /** The pipe link with ssh's exit folded into its failure reasons. */
    private static final class SshLink extends ForwardingLink {
        private final Session session;

        SshLink(Link link, Session session) {
            super(link);
            this.session = session;
        }

        @Override
        public Flux<Frame> receive() {
            return delegate().receive().onErrorResume(LinkClosedException.class, e -> session.explain(e.reason())
                    .flatMap(r -> Mono.error(new LinkClosedException(r, e))));
        }

        @Override
        public Mono<CloseReason> onClose() {
            return delegate().onClose().flatMap(session::explain);
        }
    }
}
