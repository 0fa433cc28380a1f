package dev.sluice.hook;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * The hooks of one job run on one host, driven by the engine point by point, with the pairing rules:
 * a pre point that opened a phase gets its post point even when something later aborts, and
 * {@code job.end} always runs, last, with the job's final status.
 *
 * <p>The engine calls {@link #enter} for {@code job.start}, {@code snapshot.pre} and {@code transfer.pre},
 * {@link #exit} for {@code transfer.post}, {@code snapshot.post} and {@code prune.post} on the normal
 * path, and {@link #finish} exactly once at the end, whatever happened (like {@code finally}). Calls must
 * not overlap: subscribe to the next one after the previous completed.
 */
public final class HookSession {

    /**
     * What the hooks of one point amounted to.
     *
     * @param point             the point (for {@link #finish}: {@code job.end})
     * @param failed            a hook configured {@code on_error: abort} failed: at a pre point the phase must
     *                          not start, at a post point the job has failed
     * @param results           the synchronous runs, in order (for {@link #finish}: cleanup runs, then job.end)
     * @param excludes          exclude patterns from {@code transfer.pre} hooks, in order
     * @param replacementStatus the last status a {@code transfer.post} hook printed, if any
     * @param failure           the first aborting failure's message
     */
    public record Outcome(HookPoint point, boolean failed, List<HookResult> results, List<String> excludes,
                          OptionalInt replacementStatus, Optional<String> failure) {
        public Outcome {
            Objects.requireNonNull(point, "point");
            results = List.copyOf(results);
            excludes = List.copyOf(excludes);
            Objects.requireNonNull(replacementStatus, "replacementStatus");
            Objects.requireNonNull(failure, "failure");
        }

        /** True when the phase may go on. */
        public boolean proceed() {
            return !failed;
        }
    }

    private static final Set<HookPoint> EXITS = EnumSet.of(HookPoint.TRANSFER_POST, HookPoint.SNAPSHOT_POST,
            HookPoint.PRUNE_POST);

    private final HookRunner runner;
    private final HookLog log;
    private final List<HookDefinition> definitions;
    private HookContext context;

    private final Set<HookPoint> entered = EnumSet.noneOf(HookPoint.class);
    private final Set<HookPoint> exited = EnumSet.noneOf(HookPoint.class);
    private final Deque<HookPoint> pending = new ArrayDeque<>();
    private final List<HookResult> results = new ArrayList<>();
    private boolean aborted;
    private boolean finished;

    /**
     * @param runner      runs the processes
     * @param log         gets warnings and async results (the runner logs output and results itself)
     * @param definitions the job's hooks on this host, in configured order
     * @param context     the job context
     * @throws IllegalArgumentException when a hook is configured at a point that does not run on this role
     */
    public HookSession(HookRunner runner, HookLog log, List<HookDefinition> definitions, HookContext context) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.log = Objects.requireNonNull(log, "log");
        this.definitions = List.copyOf(definitions);
        this.context = Objects.requireNonNull(context, "context");
        for (HookDefinition d : this.definitions) {
            if (!d.point().runsOn(context.role())) {
                throw new IllegalArgumentException("job " + context.job() + ": hook " + d.executable() + " is configured at "
                        + d.point() + ", which never runs on the " + context.role().id() + " side");
            }
        }
    }

    /** Sets the snapshot id that later hooks see as {@code SLUICE_SNAPSHOT}. */
    public synchronized void useSnapshot(String snapshotId) {
        context = context.withSnapshotId(snapshotId);
    }

    /** The context later hooks run with. */
    public synchronized HookContext context() {
        return context;
    }

    /** Every synchronous run so far, in order, followed by async runs as they finish; for the job summary. */
    public synchronized List<HookResult> results() {
        return List.copyOf(results);
    }

    /**
     * Runs the hooks of a pre point ({@code job.start}, {@code snapshot.pre}, {@code transfer.pre}) in
     * configured order. An aborting failure stops the point; the engine must then skip the phase (no
     * snapshot, no transfer) and call {@link #finish} with a failure status. The post counterpart of this
     * point becomes due as soon as one hook of it succeeded or the point completed.
     *
     * @throws IllegalStateException (as the Mono's error) when called twice for a point, after an abort or
     *                               after {@link #finish}
     */
    public Mono<Outcome> enter(HookPoint pre) {
        return Mono.defer(() -> {
            synchronized (this) {
                if (!pre.isPre()) {
                    return Mono.error(new IllegalArgumentException(pre + " is not a pre point; enter() takes "
                            + "job.start, snapshot.pre or transfer.pre"));
                }
                requireOpen(pre);
                if (!entered.add(pre)) {
                    return Mono.error(new IllegalStateException("job " + context.job() + ": " + pre + " was already entered"));
                }
            }
            return runPoint(pre, null, null, true).doOnNext(run -> {
                synchronized (this) {
                    if (run.outcome.proceed() || run.anySucceeded) {
                        if (pre != HookPoint.JOB_START) {
                            pending.push(pre.counterpart().orElseThrow());
                        }
                    }
                    if (run.outcome.failed()) {
                        aborted = true;
                    }
                }
            }).map(run -> run.outcome);
        });
    }

    /**
     * Runs the hooks of a post point ({@code transfer.post}, {@code snapshot.post}, {@code prune.post}) on
     * the normal path. Every synchronous hook of the point runs, even after one failed, because post hooks
     * clean up; {@link Outcome#failed()} says whether an aborting one failed (the job has then failed).
     *
     * @param status the phase's status 0..255 (0 = success), given as first argument and {@code SLUICE_STATUS};
     *               each {@code transfer.post} hook gets the status as replaced by the hooks before it
     * @param stdin  the transfer summary (UTF-8 JSON) for {@code transfer.post}; null for the other points
     */
    public Mono<Outcome> exit(HookPoint post, int status, byte[] stdin) {
        return Mono.defer(() -> {
            synchronized (this) {
                if (!EXITS.contains(post)) {
                    return Mono.error(new IllegalArgumentException(post + " is not a point for exit(); it takes "
                            + "transfer.post, snapshot.post or prune.post (job.end runs from finish())"));
                }
                if ((post == HookPoint.TRANSFER_POST) != (stdin != null)) {
                    return Mono.error(new IllegalArgumentException(post == HookPoint.TRANSFER_POST
                            ? "transfer.post needs the transfer summary for its stdin" : post + " takes no stdin"));
                }
                requireOpen(post);
                if (!exited.add(post)) {
                    return Mono.error(new IllegalStateException("job " + context.job() + ": " + post + " already ran"));
                }
                pending.remove(post);
            }
            return runPoint(post, status, stdin, false).map(run -> run.outcome);
        });
    }

    /**
     * Ends the session, like {@code finally}: runs the post counterparts still due (newest first, each with
     * {@code status}; {@code transfer.post} gets {@code {"completed":false,"status":N}} on stdin and its
     * replacement status is ignored), then {@code job.end} with {@code status}. Never skipped by a failure:
     * the Mono errors only on a bug or when called twice.
     *
     * @param status the job's final status 0..255 (0 = success)
     */
    public Mono<Outcome> finish(int status) {
        return Mono.defer(() -> {
            List<HookPoint> cleanup;
            synchronized (this) {
                if (finished) {
                    return Mono.error(new IllegalStateException("job " + context.job() + ": finish() was already called"));
                }
                finished = true;
                cleanup = new ArrayList<>(pending);
                pending.clear();
                exited.addAll(cleanup);
            }
            byte[] summary = ("{\"completed\":false,\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
            Mono<List<Outcome>> chain = Mono.just(List.of());
            for (HookPoint post : cleanup) {
                chain = chain.flatMap(done -> runPoint(post, status, post == HookPoint.TRANSFER_POST ? summary : null, false)
                        .map(run -> append(done, run.outcome)));
            }
            return chain.flatMap(done -> runPoint(HookPoint.JOB_END, status, null, false)
                    .map(run -> {
                        List<Outcome> all = append(done, run.outcome);
                        List<HookResult> runs = all.stream().flatMap(o -> o.results().stream()).collect(Collectors.toList());
                        Optional<String> failure = all.stream().map(Outcome::failure).flatMap(Optional::stream).findFirst();
                        return new Outcome(HookPoint.JOB_END, failure.isPresent(), runs, List.of(), OptionalInt.empty(), failure);
                    }));
        });
    }

    private void requireOpen(HookPoint point) {
        if (finished) {
            throw new IllegalStateException("job " + context.job() + ": " + point + " after finish()");
        }
        if (aborted) {
            throw new IllegalStateException("job " + context.job() + ": " + point
                    + " after a pre hook aborted; only finish() may follow");
        }
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> copy = new ArrayList<>(list);
        copy.add(item);
        return copy;
    }

    /** The running state of one point's hooks. */
    private static final class Run {
        final List<HookResult> results = new ArrayList<>();
        final List<String> excludes = new ArrayList<>();
        Integer status;
        OptionalInt replacement = OptionalInt.empty();
        String failure;
        boolean anySucceeded;
        Outcome outcome;
    }

    private Mono<Run> runPoint(HookPoint point, Integer status, byte[] stdin, boolean stopOnAbort) {
        List<HookDefinition> hooks = definitions.stream().filter(d -> d.point() == point).collect(Collectors.toList());
        Run run = new Run();
        run.status = status;
        return step(hooks, 0, run, stdin, stopOnAbort).map(r -> {
            r.outcome = new Outcome(point, r.failure != null, r.results, r.excludes, r.replacement,
                    Optional.ofNullable(r.failure));
            return r;
        });
    }

    private Mono<Run> step(List<HookDefinition> hooks, int index, Run run, byte[] stdin, boolean stopOnAbort) {
        if (index == hooks.size() || (stopOnAbort && run.failure != null)) {
            return Mono.just(run);
        }
        HookDefinition hook = hooks.get(index);
        HookContext ctx = context();
        HookInput input = run.status == null ? new HookInput(List.of(), null, stdin) : HookInput.status(run.status, stdin);
        if (hook.async()) {
            runner.run(hook, ctx, input).subscribe(result -> {
                synchronized (this) {
                    results.add(result);
                }
                if (!result.ok()) {
                    log.event(ctx, hook, "async hook failed (does not affect the job): " + result.error().orElseThrow());
                }
            }, error -> log.event(ctx, hook, "async hook could not run: " + error));
            return step(hooks, index + 1, run, stdin, stopOnAbort);
        }
        return runner.run(hook, ctx, input)
                .onErrorResume(error -> Mono.just(new HookResult(hook.point(), hook.executable(), -1,
                        java.time.Duration.ZERO, HookResult.Status.FAILED, List.of(), OptionalInt.empty(),
                        Optional.of("hook " + hook.executable() + " at " + hook.point() + " (job " + ctx.job()
                                + ") could not run: " + error))))
                .flatMap(result -> {
                    synchronized (this) {
                        results.add(result);
                    }
                    run.results.add(result);
                    if (result.ok()) {
                        run.anySucceeded = true;
                        run.excludes.addAll(result.excludes());
                        if (result.replacementStatus().isPresent()) {
                            run.replacement = result.replacementStatus();
                            run.status = result.replacementStatus().getAsInt();
                        }
                    } else if (hook.onError() == OnError.ABORT) {
                        if (run.failure == null) {
                            run.failure = result.error().orElseThrow();
                        }
                    } else {
                        log.event(ctx, hook, "failed, continuing because on_error is warn: " + result.error().orElseThrow());
                    }
                    return step(hooks, index + 1, run, stdin, stopOnAbort);
                });
    }
}
