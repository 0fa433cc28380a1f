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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The ssh transport's connect side: runs the system {@code ssh} (batch mode, empty
 * environment, no terminal) with the remote command, and makes its stdin/stdout a
 * {@link Link}. ssh's stderr goes line by line to a log callback, and when the link fails
 * the reason names ssh's exit status and its last stderr lines.
 */
public final class SshLinks {

    private static final System.Logger LOG = System.getLogger(SshLinks.class.getName());
    private static final int TAIL_LINES = 5;
    /** {@code ssh -G} prints about 80 lines; more than this is not a configuration dump. */
    private static final int CONFIG_LINES = 1000;
    private static final Duration CONFIG_WAIT = Duration.ofSeconds(5);

    private final PipeLinks pipes;
    private final String sshProgram;
    private final Consumer<String> stderrLog;
    private final Duration exitWait;
    private final boolean preferAesGcm;

    /**
     * Links over ssh that offer AES-GCM first where this machine's CPU has AES instructions ({@link CipherOrder}).
     *
     * @param pipes      carries the link
     * @param sshProgram the ssh executable ("ssh" is looked up in the PATH of this process)
     * @param stderrLog  receives each line ssh writes to stderr, prefixed with the destination
     * @param exitWait   how long to wait for ssh to exit after the link ended before killing it
     */
    public SshLinks(PipeLinks pipes, String sshProgram, Consumer<String> stderrLog, Duration exitWait) {
        this(pipes, sshProgram, stderrLog, exitWait, CipherOrder.cpuHasAes());
    }

    /**
     * @param preferAesGcm whether to ask ssh to offer the AES-GCM ciphers its configuration allows first, unless the
     *                     spec's options name {@code Ciphers}
     */
    public SshLinks(PipeLinks pipes, String sshProgram, Consumer<String> stderrLog, Duration exitWait,
                    boolean preferAesGcm) {
        this.pipes = pipes;
        this.sshProgram = sshProgram;
        this.stderrLog = stderrLog;
        this.exitWait = exitWait;
        this.preferAesGcm = preferAesGcm;
    }

    /** The ssh command line for {@code spec} (no shell is involved), with ssh's own cipher order. */
    public List<String> command(SshSpec spec) {
        return command(spec, Optional.empty());
    }

    /** The ssh command line for {@code spec}, with {@code -o Ciphers=…} after the spec's options if one is given. */
    public List<String> command(SshSpec spec, Optional<String> ciphers) {
        List<String> c = new ArrayList<>(List.of(sshProgram, "-T", "-e", "none",
                "-i", spec.identityFile().toString(), "-p", Integer.toString(spec.port()),
                "-l", spec.user(), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes"));
        addOptions(c, spec);
        ciphers.ifPresent(list -> {
            c.add("-o");
            c.add("Ciphers=" + list);
        });
        c.add("--");
        c.add(spec.host());
        c.add(spec.remoteCommand());
        return c;
    }

    /** Appends the spec's options, each as {@code -o Key=value}. */
    private static void addOptions(List<String> command, SshSpec spec) {
        for (String o : spec.options()) {
            command.add("-o");
            command.add(o);
        }
    }

    /**
     * The cipher order to ask for: the ciphers {@code ssh -G} says this connection would offer, AES-GCM first; empty
     * when AES-GCM is not preferred, the spec's options choose the ciphers, or the order would not change. A failing
     * {@code ssh -G} (an ssh without it) leaves ssh's order.
     */
    Optional<String> cipherOrder(SshSpec spec) {
        if (!preferAesGcm || CipherOrder.chosenIn(spec.options())) {
            return Optional.empty();
        }
        List<String> query = new ArrayList<>(List.of(sshProgram, "-G", "-p", Integer.toString(spec.port()),
                "-l", spec.user()));
        addOptions(query, spec);
        query.add("--");
        query.add(spec.host());
        // stdout (a few KiB, less than a pipe holds) is read after the exit, so a hanging ssh -G (a Match exec
        // that does not return) costs CONFIG_WAIT, not the connection
        ProcessBuilder pb = new ProcessBuilder(query).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(CONFIG_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                LOG.log(System.Logger.Level.WARNING, "{0} -G did not answer within {1} s; ssh keeps its cipher order",
                        sshProgram, CONFIG_WAIT.toSeconds());
                return Optional.empty();
            }
            List<String> out;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                out = r.lines().limit(CONFIG_LINES).toList();
            }
            if (p.exitValue() != 0) {
                LOG.log(System.Logger.Level.DEBUG, "{0} -G exited with status {1}; ssh keeps its cipher order",
                        sshProgram, p.exitValue());
                return Optional.empty();
            }
            return CipherOrder.effective(out).flatMap(CipherOrder::aesGcmFirst);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not run {0} -G: {1}", sshProgram, e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Starts ssh and runs the link handshake over it; fails with a {@link LinkClosedException} naming ssh's exit. */
    public Mono<Link> connect(SshSpec spec) {
        return Mono.fromCallable(() -> cipherOrder(spec))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(ciphers -> start(spec, ciphers));
    }

    private Mono<Link> start(SshSpec spec, Optional<String> ciphers) {
        String where = spec.user() + "@" + spec.host() + ":" + spec.port();
        ProcessBuilder pb = new ProcessBuilder(command(spec, ciphers));
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
