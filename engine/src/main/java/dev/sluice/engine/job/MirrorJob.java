package dev.sluice.engine.job;

import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.JobType;
import dev.sluice.engine.config.MirrorJobSpec;
import dev.sluice.engine.config.PullSourceSpec;
import dev.sluice.engine.config.TlsConnectSpec;
import dev.sluice.engine.json.JsonWriter;
import dev.sluice.engine.fs.CacheRoot;
import dev.sluice.engine.mirror.LocalMirror;
import dev.sluice.engine.mirror.MirrorCancelledException;
import dev.sluice.engine.mirror.MirrorPolicy;
import dev.sluice.engine.mirror.MirrorReceiver;
import dev.sluice.engine.mirror.MirrorRequest;
import dev.sluice.engine.mirror.MirrorResult;
import dev.sluice.engine.mirror.MirrorSender;
import dev.sluice.engine.mirror.TargetFactory;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.engine.mirror.dest.MirrorTargetStats;
import dev.sluice.engine.protocol.DirectionCodec;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.PeekedLink;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.hook.HookContext;
import dev.sluice.hook.HookDefinition;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.HookResult;
import dev.sluice.hook.HookRunner;
import dev.sluice.hook.HookSession;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * Runs one {@code type: mirror} job with its hooks, in whichever direction its configuration says: into a local
 * directory (both ends in this process), pushed to a receiver daemon over TLS or ssh, sent over a link its receiver
 * opened and asked on (pulled, {@link #runPulled}), or, on the receiving side, pulled from a sender (dialled, or over
 * the link the sender parked here). The CLI ({@code sluice mirror}) and the daemon both run mirror jobs through here.
 * A cancelled run tells the receiver why (the sender's ERROR, or the receiver's close) and closes its link: the
 * receiver aborts and keeps its previous state.
 */
public final class MirrorJob {
    /** How long connecting to a receiver (TLS and link handshakes) may take. */
    public static final Duration CONNECT_TIMEOUT = Connector.CONNECT_TIMEOUT;

    private final Scheduler io;
    private final Consumer<String> warn;
    private final HookRunner hookRunner;
    private final HookLog hookLog;
    private final ParkedLinks parked;
    private final TargetFactory targets;
    /** Where this side's caches live (xattr journals, basis chunk lists); empty: none. */
    private final Optional<Path> cacheRoot = CacheRoot.of(System.getenv());

    /**
     * A job runner without hook logging or parked links (a reverse pull then cannot run).
     *
     * @param io   where the local receiver's target I/O runs
     * @param warn gets warnings that must be seen on every run (an insecure TLS setting)
     */
    public MirrorJob(Scheduler io, Clock clock, Consumer<String> warn) {
        this(io, warn, new HookRunner(io, HookLog.lines(line -> { })), HookLog.lines(line -> { }), null,
                (dir, options) -> MirrorTarget.open(dir, options, clock));
    }

    /**
     * @param hookRunner runs the job's hooks; {@code hookLog} gets their output and results
     * @param parked links senders parked at this daemon (reverse pull), or null outside a daemon
     * @param targets opens the receiving side of a run here (production: {@code MirrorTarget.open} with a clock)
     */
    public MirrorJob(Scheduler io, Consumer<String> warn, HookRunner hookRunner, HookLog hookLog, ParkedLinks parked,
            TargetFactory targets) {
        this.io = Objects.requireNonNull(io, "io");
        this.warn = Objects.requireNonNull(warn, "warn");
        this.hookRunner = Objects.requireNonNull(hookRunner, "hookRunner");
        this.hookLog = Objects.requireNonNull(hookLog, "hookLog");
        this.parked = parked;
        this.targets = Objects.requireNonNull(targets, "targets");
    }

    /**
     * A configured mirror job as a run.
     *
     * @param request what the sender scans and asks for; null for a pull job (the sender's job defines it)
     * @param target the job's {@code mirror} block
     * @param hooks the job's hooks; {@code workingDirectory} is where they run
     */
    public record Plan(String job, MirrorRequest request, MirrorJobSpec target, List<HookDefinition> hooks,
            Path workingDirectory) {
        public Plan {
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(workingDirectory, "workingDirectory");
            hooks = List.copyOf(hooks);
            if ((request == null) != (target.pull() != null)) {
                throw new IllegalArgumentException("job " + job + ": a mirror plan has a request unless it pulls");
            }
        }

        /** A plan without hooks. */
        public Plan(String job, MirrorRequest request, MirrorJobSpec target) {
            this(job, request, target, List.of(), Path.of("").toAbsolutePath());
        }
    }

    /**
     * How a run ended.
     *
     * @param status a {@link JobStatus} (after transfer.post replacements and hook failures)
     * @param result the sender's result, or null when this side received (pull) or the transfer did not complete
     * @param received what the receiver did: the target's stats from the sender's result, or from this side's own
     *     target in a pull; null when the run did not complete
     * @param failure what went wrong, or null
     */
    public record Outcome(int status, MirrorResult result, MirrorTargetStats received, Exception failure,
            List<HookResult> hooks) {
        public Outcome {
            hooks = List.copyOf(hooks);
        }

        /**
         * What the run did, by name, in the order a summary names them: as sender ({@code entries},
         * {@code files_written}, {@code files_kept}, {@code literal_bytes}, {@code copied_bytes}, {@code bytes_sent},
         * {@code bytes_received}, {@code entries_deleted}, {@code tree}), or as the receiver of a pull
         * ({@code pulled}: true, {@code files_written}, {@code files_kept}, {@code bytes_written}, {@code copied_bytes},
         * {@code entries_deleted}, {@code tree}). Empty when the run did not complete. A command prints its summary
         * from these, also for a run a daemon did for it.
         */
        public Map<String, Object> facts() {
            Map<String, Object> f = new LinkedHashMap<>();
            if (result != null) {
                f.put("entries", result.entries());
                f.put("files_written", result.filesWritten());
                f.put("files_kept", result.filesKept());
                f.put("literal_bytes", result.literalBytes());
                f.put("copied_bytes", result.copiedBytes());
                f.put("bytes_sent", result.bytesSent());
                f.put("bytes_received", result.bytesReceived());
                f.put("entries_deleted", result.receiver().entriesDeleted());
                f.put("tree", result.receiver().finalTree());
            } else if (received != null) {
                f.put("pulled", true);
                f.put("files_written", received.filesWritten());
                f.put("files_kept", received.filesKept());
                f.put("bytes_written", received.bytesWritten());
                f.put("copied_bytes", received.bytesCopiedFromBasis());
                f.put("entries_deleted", received.entriesDeleted());
                f.put("tree", received.finalTree());
            }
            return f;
        }
    }

    /** The plan of {@code job} with its hooks run in {@code workingDirectory} (the config file's directory). */
    public static Plan plan(JobSpec job, Path workingDirectory) {
        if (job.type() != JobType.MIRROR || !(job.repository() instanceof MirrorJobSpec spec)) {
            throw new IllegalArgumentException("job " + job.name() + " is not a mirror job (type: mirror)");
        }
        try {
            List<HookDefinition> hooks = JobPlans.hooks(job);
            if (spec.pull() != null) {
                return new Plan(job.name(), null, spec, hooks, workingDirectory);
            }
            ScanRules rules = ScanRules.of(job.include(), job.exclude(), job.oneFileSystem(), job.excludeCaches());
            String target = spec.target() != null ? spec.target() : job.name();
            MirrorRequest request = new MirrorRequest(job.paths(), rules, target,
                    spec.layout().equals("snapshots") ? MirrorOptions.Layout.SNAPSHOTS : MirrorOptions.Layout.IN_PLACE,
                    spec.delete(), spec.deleteExcluded(), spec.fakeSuper(), spec.keepSnapshots(),
                    spec.sourceFakeSuper());
            return new Plan(job.name(), request, spec, hooks, workingDirectory);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("job " + job.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The plan of {@code job}, hooks running in the current directory.
     *
     * @throws IllegalArgumentException naming the job when it is not a mirror job or its paths cannot be mirrored
     */
    public static Plan plan(JobSpec job) {
        return plan(job, Path.of("").toAbsolutePath());
    }

    /**
     * Runs a sending plan without cancellation; returns the sender's result or throws naming what failed.
     *
     * @throws IllegalArgumentException for a pull job (use {@link #run(Plan, Cancellation)})
     */
    public MirrorResult run(Plan plan) throws IOException {
        if (plan.request() == null) {
            throw new IllegalArgumentException("job " + plan.job() + " pulls; its result is an Outcome");
        }
        Outcome o = run(plan, new Cancellation());
        if (o.failure() instanceof IOException e) {
            throw e;
        }
        if (o.failure() != null) {
            throw new IOException(o.failure().getMessage(), o.failure());
        }
        return o.result();
    }

    /**
     * Runs the plan once: a local, pushed or pull job. A job its receiver pulls ({@code pulled_by},
     * {@code reverse_pull}) runs only through {@link #runPulled}. Never throws for a failure of the run.
     */
    public Outcome run(Plan plan, Cancellation cancellation) {
        MirrorJobSpec spec = plan.target();
        if (spec.pulled()) {
            return new Outcome(JobStatus.USAGE, null, null, new IllegalArgumentException("job " + plan.job()
                    + " runs when its receiver pulls it (" + spec.describe() + ")"), List.of());
        }
        if (spec.pull() != null) {
            return receive(plan, cancellation);
        }
        return send(plan, null, cancellation);
    }

    /** Runs a job its receiver pulls over {@code link}, the link the receiver's MIRROR_PULL came on. */
    public Outcome runPulled(Plan plan, Link link, Cancellation cancellation) {
        Objects.requireNonNull(link, "link");
        if (!plan.target().pulled()) {
            return new Outcome(JobStatus.USAGE, null, null, new IllegalArgumentException("job " + plan.job()
                    + " is not a mirror job its receiver pulls"), List.of());
        }
        return send(plan, link, cancellation);
    }

    // ---- the sending side ---------------------------------------------------------------------------------

    private Outcome send(Plan plan, Link pulledOver, Cancellation cancellation) {
        HookSession hooks = session(plan, HookContext.Role.SOURCE);
        MirrorResult result = null;
        Exception failure = null;
        int status;
        try {
            List<String> extraExcludes = new ArrayList<>();
            if (hooks != null && !BackupJob.enterAll(hooks, extraExcludes)) {
                status = JobStatus.FAILURE;
                failure = new IllegalStateException("a pre hook failed; nothing was mirrored: "
                        + BackupJob.describe(hooks));
            } else {
                result = transfer(plan, withExcludes(plan.request(), extraExcludes), pulledOver, cancellation);
                status = result.problemCount() > 0 ? JobStatus.PARTIAL : JobStatus.OK;
                if (hooks != null) {
                    status = BackupJob.exitTransfer(hooks, result.receiver().finalTree(), status, summaryJson(result));
                }
            }
        } catch (Exception e) {
            failure = e;
            status = JobStatus.of(e) == JobStatus.OK ? JobStatus.FAILURE : JobStatus.of(e);
        }
        return end(hooks, status, result, result == null ? null : result.receiver(), failure);
    }

    /**
     * Where the sender keeps the xattr journal of job {@code job}'s source tree:
     * {@code <cache root>/mirror/jobs/<hash of the job name>.xattrs}; null without a cache root.
     */
    private Path sourceJournal(String job) {
        return cacheRoot
                .map(root -> root.resolve("mirror").resolve("jobs").resolve(CacheRoot.fileName(job) + ".xattrs"))
                .orElse(null);
    }

    private MirrorResult transfer(Plan plan, MirrorRequest request, Link pulledOver, Cancellation cancellation)
            throws IOException {
        MirrorJobSpec spec = plan.target();
        try {
            if (cancellation.cancelled()) {
                throw new IOException("the run was cancelled before it started");
            }
            MirrorSender sender = new MirrorSender(sourceJournal(plan.job()));
            // the receiver gets ERROR with the reason before the link closes (MirrorSender.cancel)
            cancellation.onCancel(() -> sender.cancel("the sender's job " + plan.job() + " was cancelled ("
                    + cancellation.reason() + ")"));
            if (spec.directory() != null) {
                return new LocalMirror(targets, MirrorLimits.DEFAULT, io, cacheRoot)
                        .run(request, spec.directory(), link -> { }, sender);
            }
            Link link = pulledOver;
            if (link == null) {
                warnIfInsecure(plan.job(), "mirror.tls", spec.connect());
                link = Connector.of(spec.connect()).connect();
            }
            return sender.run(link, request);
        } catch (IOException e) {
            if (cancellation.cancelled()) {
                throw new IOException(wasCancelled(plan.job(), cancellation)
                        + (MirrorCancelledException.in(e) ? "" : ": " + e.getMessage()), e);
            }
            throw e;
        } finally {
            cancellation.onCancel(() -> { });
        }
    }

    private static MirrorRequest withExcludes(MirrorRequest r, List<String> extra) {
        if (extra.isEmpty()) {
            return r;
        }
        List<byte[]> excludes = new ArrayList<>(r.rules().excludes());
        extra.forEach(e -> excludes.add(e.getBytes(StandardCharsets.UTF_8)));
        ScanRules rules = ScanRules.ofBytes(r.rules().includes(), excludes, r.rules().oneFileSystem(),
                r.rules().excludeCaches());
        return new MirrorRequest(r.roots(), rules, r.target(), r.layout(), r.delete(), r.deleteExcluded(),
                r.fakeSuper(), r.keepSnapshots(), r.sourceFakeSuper());
    }

    /** The transfer summary a mirror job's transfer.post hook reads on stdin. */
    static byte[] summaryJson(MirrorResult r) {
        return new JsonWriter().beginObject()
                .field("tree", r.receiver().finalTree())
                .field("entries", r.entries())
                .field("files_written", r.filesWritten())
                .field("files_kept", r.filesKept())
                .field("literal_bytes", r.literalBytes())
                .field("copied_bytes", r.copiedBytes())
                .field("bytes_sent", r.bytesSent())
                .field("entries_deleted", r.receiver().entriesDeleted())
                .field("problems", r.problemCount())
                .endObject().toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---- the receiving side (pull) ------------------------------------------------------------------------

    private Outcome receive(Plan plan, Cancellation cancellation) {
        HookSession hooks = session(plan, HookContext.Role.SINK);
        MirrorTargetStats stats = null;
        Exception failure = null;
        int status;
        try {
            HookSession.Outcome start = hooks == null ? null : hooks.enter(HookPoint.JOB_START).block();
            if (start != null && !start.proceed()) {
                status = JobStatus.FAILURE;
                failure = new IllegalStateException("a job.start hook failed; nothing was pulled: "
                        + BackupJob.describe(hooks));
            } else {
                stats = pull(plan, cancellation);
                status = JobStatus.OK;
                if (hooks != null) {
                    hooks.useSnapshot(stats.finalTree());
                }
            }
        } catch (Exception e) {
            failure = e;
            status = JobStatus.of(e) == JobStatus.OK ? JobStatus.FAILURE : JobStatus.of(e);
        }
        return end(hooks, status, null, stats, failure);
    }

    /** Gets a link to the sender, asks it for its job with MIRROR_PULL and receives the run into the directory. */
    private MirrorTargetStats pull(Plan plan, Cancellation cancellation) throws IOException {
        MirrorJobSpec spec = plan.target();
        PullSourceSpec source = spec.pull();
        Link link = null;
        try {
            ParkedLinks.Taken taken = open(plan, source, cancellation);
            link = taken.link();
            closeOnCancel(cancellation, link, plan.job());
            String peer = link.peer().name();
            link.send(Flux.fromIterable(List.of(Frame.of(MessageType.MIRROR_PULL.wire(),
                    DirectionCodec.mirrorPull(1, source.job()))))).block(CONNECT_TIMEOUT);
            // the sender runs its pre hooks before it opens the run, so its first answer may take long
            PeekedLink.First first = taken.answer().block();
            if (first == null) {
                throw new IOException("sender " + peer + " closed the link without answering MIRROR_PULL("
                        + source.job() + ")");
            }
            if (!MirrorReceiver.isMirrorOpen(first.frame())) {
                throw refusal(first.frame(), peer, source.job());
            }
            AtomicReference<MirrorTargetStats> finished = new AtomicReference<>();
            MirrorOptions own = new MirrorOptions(spec.layout().equals("snapshots") ? MirrorOptions.Layout.SNAPSHOTS
                    : MirrorOptions.Layout.IN_PLACE, spec.delete(), ScanRules.all(), spec.deleteExcluded(),
                    spec.fakeSuper(), spec.keepSnapshots(), MirrorLimits.DEFAULT);
            // the sender names its job as the target; this side's configuration alone says where it goes
            MirrorReceiver receiver = new MirrorReceiver(new MirrorPolicy(Map.of(new PeerIdentity(peer),
                    Map.of(source.job(), spec.directory()))), ReceivedTarget.factory(targets, own, finished),
                    MirrorLimits.DEFAULT, io, cacheRoot);
            CloseReason end = receiver.serve(first.link().replaying(first.frame())).block();
            if (finished.get() == null) {
                throw new IOException("the mirror of job " + source.job() + " from sender " + peer
                        + " did not complete" + cancellation.note() + ": " + end
                        + "; the previous state of " + spec.directory() + " is kept");
            }
            return finished.get();
        } catch (IOException | RuntimeException e) {
            if (link != null && !link.isClosed()) {
                link.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR, String.valueOf(e.getMessage())));
            }
            throw e;
        } finally {
            cancellation.onCancel(() -> { });
        }
    }

    /** The link to the sender and its coming first answer (for a parked link, read since it was parked). */
    private ParkedLinks.Taken open(Plan plan, PullSourceSpec source, Cancellation cancellation) throws IOException {
        if (source.connect() != null) {
            warnIfInsecure(plan.job(), "mirror.pull.tls", source.connect());
            Link dialed = Connector.of(source.connect()).connect();
            return new ParkedLinks.Taken(dialed, PeekedLink.read(dialed));
        }
        if (parked == null) {
            throw new IOException("mirror job " + plan.job() + " waits for sender '" + source.reverse() + "' to dial"
                    + " in (reverse pull); only the daemon, with its listener, can run it");
        }
        return parked.await(new PeerIdentity(source.reverse()), source.reverseWait(), io, cancellation,
                "mirror job " + plan.job(), "sender");
    }

    /** The sender's first answer was not a mirror OPEN: its ERROR (a refusal) or something else. */
    private static IOException refusal(Frame f, String peer, String job) {
        try {
            if (f.type() == MessageType.ERROR.wire() || f.type() == dev.sluice.engine.mirror.MirrorMessage.ERROR.wire()) {
                byte[] bytes = new byte[f.payload().readableBytes()];
                f.payload().readBytes(bytes);
                try {
                    ErrorCodec.Error error = ErrorCodec.decode(bytes);
                    return new IOException("sender " + peer + " refused to run mirror job " + job + ": "
                            + error.code() + ": " + error.message());
                } catch (ProtocolException e) {
                    return new IOException("sender " + peer + " answered MIRROR_PULL with a malformed ERROR: "
                            + e.getMessage(), e);
                }
            }
            return new IOException("sender " + peer + " answered MIRROR_PULL(" + job + ") with frame type "
                    + f.type() + " instead of a mirror OPEN");
        } finally {
            f.release();
        }
    }

    // ---- shared -------------------------------------------------------------------------------------------

    private HookSession session(Plan plan, HookContext.Role role) {
        return plan.hooks().isEmpty() ? null : new HookSession(hookRunner, hookLog, plan.hooks(),
                HookContext.of(plan.job(), role, plan.workingDirectory()));
    }

    private static Outcome end(HookSession hooks, int status, MirrorResult result, MirrorTargetStats received,
            Exception failure) {
        if (hooks != null) {
            var end = hooks.finish(status).block();
            if (end != null && end.failed() && status == JobStatus.OK) {
                status = JobStatus.FAILURE;
                failure = new IllegalStateException("the job.end hook failed: " + end.failure().orElse("?"));
            }
        }
        return new Outcome(status, result, received, failure, hooks == null ? List.of() : hooks.results());
    }

    private static void closeOnCancel(Cancellation cancellation, Link link, String job) {
        cancellation.onCancel(() -> link.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR,
                wasCancelled(job, cancellation))));
    }

    private static String wasCancelled(String job, Cancellation cancellation) {
        return "mirror job " + job + " was cancelled (" + cancellation.reason() + ")";
    }

    private void warnIfInsecure(String job, String key, ConnectSpec connect) {
        if (connect instanceof TlsConnectSpec tls && tls.insecureSkipVerify()) {
            warn.accept("job " + job + ": " + key + ".insecure_skip_verify is true: the peer at " + tls.host() + ":"
                    + tls.port() + " is NOT verified (any certificate is accepted, the name '" + tls.serverName()
                    + "' is not checked); anyone on the path can read and change the data");
        }
    }
}
