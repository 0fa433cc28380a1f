package dev.sluice.hook;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Runs one hook as a child process: argv without a shell, a cleared and documented environment,
 * bounded logging of its output, its stdout contract, and a timeout that ends its whole process tree.
 *
 * <p>The waiting happens on the {@link Scheduler} given to the constructor (use a bounded elastic one),
 * never on the subscriber's thread; each run also uses two or three short-lived daemon threads that
 * pump stdout, stderr and stdin so that a hook can never block on a full pipe.
 */
public final class HookRunner {

    private final Scheduler scheduler;
    private final HookLog log;
    private final HookLimits limits;
    private final Clock clock;
    private final Optional<String> setsid;

    /**
     * @param scheduler where runs wait for their process; must allow blocking (bounded elastic)
     * @param log       receives output lines, events and results
     * @param limits    output and kill bounds
     * @param clock     measures durations
     */
    public HookRunner(Scheduler scheduler, HookLog log, HookLimits limits, Clock clock) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.log = Objects.requireNonNull(log, "log");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.setsid = Priority.find("setsid").map(Object::toString);
    }

    /** A runner with {@link HookLimits#defaults()} and the system clock. */
    public HookRunner(Scheduler scheduler, HookLog log) {
        this(scheduler, log, HookLimits.defaults(), Clock.systemUTC());
    }

    /** Whether hooks get their own process group (needs {@code setsid} in the default PATH). */
    public boolean usesProcessGroups() {
        return setsid.isPresent();
    }

    /**
     * Runs the hook once. The Mono completes with a result for every outcome of the hook itself
     * (failure, timeout, malformed output, a program that cannot be started); it errors only on a bug.
     * Cancelling it ends the hook's process tree.
     */
    public Mono<HookResult> run(HookDefinition hook, HookContext context, HookInput input) {
        Objects.requireNonNull(hook, "hook");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(input, "input");
        Execution execution = new Execution(hook, context, input);
        return Mono.fromCallable(execution::call)
                .subscribeOn(scheduler)
                .doOnCancel(() -> scheduler.schedule(execution::cancel));
    }

    /** One run of one hook. */
    private final class Execution {
        private final HookDefinition hook;
        private final HookContext context;
        private final HookInput input;
        private final String name;
        private volatile ProcessTree tree;
        private volatile boolean cancelled;

        Execution(HookDefinition hook, HookContext context, HookInput input) {
            this.hook = hook;
            this.context = context;
            this.input = input;
            this.name = "hook " + hook.executable() + " at " + hook.point() + " (job " + context.job() + ")";
        }

        HookResult call() throws InterruptedException {
            Instant start = clock.instant();
            HookResult result;
            try {
                result = execute(start);
            } catch (InterruptedException e) {
                // Reactor interrupts the waiting thread when the run is cancelled: end the tree (with the
                // flag cleared so the grace period can be waited), then restore the flag.
                Thread.interrupted();
                endTree();
                Thread.currentThread().interrupt();
                result = failed(start, -1, name + " was cancelled while running; its process tree was ended");
            }
            log.finished(context, hook, result);
            return result;
        }

        void cancel() {
            cancelled = true;
            try {
                endTree();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void endTree() throws InterruptedException {
            ProcessTree t = tree;
            if (t != null) {
                t.end(limits.killGrace());
            }
        }

        private HookResult execute(Instant start) throws InterruptedException {
            if (!Files.isRegularFile(hook.executable()) || !Files.isExecutable(hook.executable())) {
                return failed(start, -1, name + " cannot run: " + hook.executable() + " is not an executable file");
            }
            if (!Files.isDirectory(context.workingDirectory())) {
                return failed(start, -1, name + " cannot run: working directory " + context.workingDirectory()
                        + " is not a directory");
            }
            List<String> argv = new ArrayList<>();
            setsid.ifPresent(path -> {
                argv.add(path);
                argv.add("--wait");
            });
            try {
                argv.addAll(context.priority().argvPrefix());
            } catch (IllegalStateException e) {
                return failed(start, -1, name + " cannot run: " + e.getMessage());
            }
            argv.add(hook.executable().toString());
            argv.addAll(input.pointArgs());
            argv.addAll(hook.args());

            ProcessBuilder builder = new ProcessBuilder(argv).directory(context.workingDirectory().toFile());
            builder.environment().clear();
            builder.environment().putAll(HookEnvironment.of(hook.point(), context, input.status()));
            byte[] stdin = input.stdin();
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            if (cancelled) {
                return failed(start, -1, name + " was cancelled before it started");
            }
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                return failed(start, -1, name + " could not be started: " + e.getMessage());
            }
            tree = new ProcessTree(process, setsid.isPresent());
            if (cancelled) {
                endTree();
            }

            boolean capture = StdoutContract.applies(hook.point());
            OutputPump out = new OutputPump(process.getInputStream(), limits, "stdout", capture,
                    line -> log.output(context, hook, HookLog.Stream.STDOUT, line), msg -> log.event(context, hook, msg));
            OutputPump err = new OutputPump(process.getErrorStream(), limits, "stderr", false,
                    line -> log.output(context, hook, HookLog.Stream.STDERR, line), msg -> log.event(context, hook, msg));
            Thread outThread = start(out, "stdout");
            Thread errThread = start(err, "stderr");
            Thread inThread = stdin == null ? null : start(() -> feed(process.getOutputStream(), stdin), "stdin");

            boolean exited = process.waitFor(hook.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                int ended = tree.end(limits.killGrace());
                log.event(context, hook, "timed out after " + hook.timeout() + "; ended " + ended + " processes");
            } else {
                // Whatever the hook left running in its process group would hold its output open.
                int left = tree.end(limits.killGrace());
                if (left > 0) {
                    log.event(context, hook, "left " + left + " processes running after it exited; they were ended");
                }
            }
            boolean stdoutDone = joinOrAbandon(outThread, "stdout");
            joinOrAbandon(errThread, "stderr");
            if (inThread != null) {
                joinOrAbandon(inThread, "stdin");
            }
            int exitCode = process.exitValue();
            Duration duration = Duration.between(start, clock.instant());
            if (!exited) {
                return result(exitCode, duration, HookResult.Status.TIMED_OUT, List.of(), OptionalInt.empty(),
                        name + " ran longer than its timeout of " + hook.timeout() + " and was killed with its process tree");
            }
            if (cancelled) {
                return result(exitCode, duration, HookResult.Status.FAILED, List.of(), OptionalInt.empty(),
                        name + " was cancelled");
            }
            if (exitCode != 0) {
                return result(exitCode, duration, HookResult.Status.FAILED, List.of(), OptionalInt.empty(),
                        name + " exited with status " + exitCode);
            }
            if (!capture) {
                return result(0, duration, HookResult.Status.OK, List.of(), OptionalInt.empty(), null);
            }
            if (!stdoutDone) {
                return contractError(duration, "its stdout was still open after it exited");
            }
            return contract(out, duration);
        }

        private HookResult contract(OutputPump out, Duration duration) {
            if (out.failure() != null) {
                return contractError(duration, "its stdout could not be read completely: " + out.failure().getMessage());
            }
            if (out.captureOverflow()) {
                return contractError(duration, "it printed " + out.totalBytes() + " bytes on stdout, more than the "
                        + limits.maxCaptureBytes() + " bytes its contract allows");
            }
            try {
                if (hook.point() == HookPoint.TRANSFER_PRE) {
                    return result(0, duration, HookResult.Status.OK, StdoutContract.excludes(out.captured()),
                            OptionalInt.empty(), null);
                }
                return result(0, duration, HookResult.Status.OK, List.of(),
                        StdoutContract.replacementStatus(out.captured()), null);
            } catch (StdoutContract.Violation v) {
                return contractError(duration, v.getMessage());
            }
        }

        private HookResult contractError(Duration duration, String what) {
            String contract = hook.point() == HookPoint.TRANSFER_PRE
                    ? "NUL-terminated exclude patterns" : "empty or one exit status 0..255";
            return result(0, duration, HookResult.Status.CONTRACT_ERROR, List.of(), OptionalInt.empty(),
                    name + " broke its stdout contract (" + contract + "): " + what);
        }

        private void feed(OutputStream stdin, byte[] bytes) {
            try (OutputStream s = stdin) {
                s.write(bytes);
            } catch (IOException e) {
                // A hook may exit without reading its stdin; that is allowed, but worth a line in the log.
                log.event(context, hook, "did not read all of its stdin (" + bytes.length + " bytes): " + e.getMessage());
            }
        }

        private Thread start(Runnable task, String stream) {
            Thread thread = new Thread(task, "sluice-hook-" + context.job() + "-" + hook.point() + "-" + stream);
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        private boolean joinOrAbandon(Thread thread, String stream) throws InterruptedException {
            thread.join(Math.max(1000, limits.killGrace().toMillis()));
            if (thread.isAlive()) {
                log.event(context, hook, stream + " is still held open by a process outside the hook's process tree;"
                        + " sluice stops waiting for it (one daemon thread keeps draining it)");
                return false;
            }
            return true;
        }

        private HookResult failed(Instant start, int exitCode, String message) {
            return result(exitCode, Duration.between(start, clock.instant()), HookResult.Status.FAILED, List.of(),
                    OptionalInt.empty(), message);
        }

        private HookResult result(int exitCode, Duration duration, HookResult.Status status, List<String> excludes,
                                  OptionalInt replacement, String error) {
            return new HookResult(hook.point(), hook.executable(), exitCode, duration, status, excludes, replacement,
                    Optional.ofNullable(error));
        }
    }
}
