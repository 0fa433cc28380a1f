package dev.sluice.engine.job;

import dev.sluice.engine.backup.BackupAbortedException;
import dev.sluice.engine.backup.BackupRequest;
import dev.sluice.engine.backup.BackupResult;
import dev.sluice.engine.backup.BackupRunner;
import dev.sluice.engine.backup.BackupStats;
import dev.sluice.engine.chunk.ChunkerParams;
import dev.sluice.engine.json.JsonWriter;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.RepositorySettings;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.engine.sink.LocalBlobSink;
import dev.sluice.hook.HookContext;
import dev.sluice.hook.HookDefinition;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.HookResult;
import dev.sluice.hook.HookRunner;
import dev.sluice.hook.HookSession;
import dev.sluice.engine.compress.BlobCompressor;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.crypto.KeyFile;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.protocol.KeyCheckCodec;
import dev.sluice.engine.protocol.RemoteBlobSink;
import dev.sluice.engine.tree.TreeCache;
import dev.sluice.transport.Link;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One backup job run from start to end, with its hooks: job.start, snapshot.pre and
 * transfer.pre before the pipeline (a failing pre hook means no snapshot), transfer.post
 * with the summary on stdin (it may replace the status), snapshot.post, and job.end
 * always, with the final status. Used by the CLI and, later, the daemon.
 */
public final class BackupJob {

    /**
     * Everything a run needs that does not change while it runs: exactly one of {@code target} (a local
     * repository) and {@code sink} (a remote sink) is set.
     */
    public record Plan(BackupRequest request, RepositoryTarget target, ChunkerParams chunking, String compression,
            Integer compressionLevel, List<HookDefinition> hooks, Path workingDirectory, SinkTarget sink) {
        public Plan {
            hooks = List.copyOf(hooks);
            if ((target == null) == (sink == null)) {
                throw new IllegalArgumentException("a backup plan needs either a local repository or a sink");
            }
        }

        /** A plan for a local repository. */
        public Plan(BackupRequest request, RepositoryTarget target, ChunkerParams chunking, String compression,
                Integer compressionLevel, List<HookDefinition> hooks, Path workingDirectory) {
            this(request, target, chunking, compression, compressionLevel, hooks, workingDirectory, null);
        }
    }

    /** Compression for a push when neither the job nor the plan sets it (the sink's settings are not read). */
    private static final String PUSH_COMPRESSION = "zstd";
    private static final int PUSH_COMPRESSION_LEVEL = 3;

    /** How a run ended: its status, the backup result if a snapshot was written, the failure if any. */
    public record Outcome(int status, BackupResult result, Exception failure, List<HookResult> hooks) {}

    private final Workers workers;
    private final Clock clock;
    private final HookRunner hookRunner;
    private final HookLog hookLog;
    private final Optional<Path> treeCacheRoot;

    /** Pushes keep their tree blobs in {@code $XDG_CACHE_HOME/sluice} or {@code ~/.cache/sluice}. */
    public BackupJob(Workers workers, Clock clock, HookRunner hookRunner, HookLog hookLog) {
        this(workers, clock, hookRunner, hookLog, TreeCache.defaultRoot(System.getenv()));
    }

    /** @param treeCacheRoot where pushes cache their own tree blobs (docs/protocol.md); empty for none */
    public BackupJob(Workers workers, Clock clock, HookRunner hookRunner, HookLog hookLog,
            Optional<Path> treeCacheRoot) {
        this.workers = workers;
        this.clock = clock;
        this.hookRunner = hookRunner;
        this.hookLog = hookLog;
        this.treeCacheRoot = treeCacheRoot;
    }

    /** Runs the job; never throws for a failure of the job itself, which is in the outcome. */
    public Outcome run(Plan plan, Consumer<BackupStats> onStart) {
        return run(plan, onStart, new Cancellation());
    }

    /**
     * After a completed transfer: names the snapshot for the hooks, runs transfer.post (which may replace the status)
     * with {@code summary} on its stdin, then snapshot.post; a failed hook raises the status to FAILURE.
     *
     * @return the run's status after both hooks
     */
    static int exitTransfer(HookSession hooks, String snapshot, int status, byte[] summary) {
        hooks.useSnapshot(snapshot);
        var post = hooks.exit(HookPoint.TRANSFER_POST, status, summary).block();
        if (post != null && post.replacementStatus().isPresent()) {
            status = post.replacementStatus().getAsInt();
        }
        if (post != null && post.failed()) {
            status = Math.max(status, JobStatus.FAILURE);
        }
        var snap = hooks.exit(HookPoint.SNAPSHOT_POST, status, null).block();
        if (snap != null && snap.failed()) {
            status = Math.max(status, JobStatus.FAILURE);
        }
        return status;
    }

    /**
     * Runs the job until done or cancelled; a cancelled run writes no snapshot, ends with status 1 and runs its
     * post hooks and job.end as a failed run does.
     */
    public Outcome run(Plan plan, Consumer<BackupStats> onStart, Cancellation cancellation) {
        // Points that run on the sink (prune.post) are not this session's; the sink runs them.
        List<HookDefinition> sourceHooks = plan.hooks().stream()
                .filter(h -> h.point().runsOn(HookContext.Role.SOURCE)).toList();
        HookSession hooks = sourceHooks.isEmpty() ? null : new HookSession(hookRunner, hookLog, sourceHooks,
                HookContext.of(plan.request().job(), HookContext.Role.SOURCE, plan.workingDirectory()));
        BackupResult result = null;
        Exception failure = null;
        int status;
        try {
            List<String> extraExcludes = new ArrayList<>();
            if (hooks != null && !enterAll(hooks, extraExcludes)) {
                status = JobStatus.FAILURE;
                failure = new IllegalStateException("a pre hook failed; nothing was snapshotted: " + describe(hooks));
            } else {
                BackupRequest request = withExcludes(plan.request(), extraExcludes);
                result = backup(plan, request, onStart, cancellation);
                status = result.hadProblems() ? JobStatus.PARTIAL : JobStatus.OK;
                if (hooks != null) {
                    status = exitTransfer(hooks, result.snapshot().hex(), status, summaryJson(result));
                }
            }
        } catch (Exception e) {
            failure = e;
            status = JobStatus.of(e);
        }
        if (hooks != null) {
            var end = hooks.finish(status).block();
            if (end != null && end.failed() && status == JobStatus.OK) {
                status = JobStatus.FAILURE;
                failure = new IllegalStateException("the job.end hook failed: " + end.failure().orElse("?"));
            }
        }
        return new Outcome(status, result, failure, hooks == null ? List.of() : hooks.results());
    }

    static boolean enterAll(HookSession hooks, List<String> extraExcludes) {
        for (HookPoint pre : List.of(HookPoint.JOB_START, HookPoint.SNAPSHOT_PRE, HookPoint.TRANSFER_PRE)) {
            HookSession.Outcome o = hooks.enter(pre).block();
            if (o == null || !o.proceed()) {
                return false;
            }
            extraExcludes.addAll(o.excludes());
        }
        return true;
    }

    static String describe(HookSession hooks) {
        return hooks.results().stream().filter(r -> !r.ok())
                .map(r -> r.point().id() + " " + r.executable() + ": " + r.error().orElse(r.status().name()))
                .reduce((a, b) -> a + "; " + b).orElse("?");
    }

    private static BackupRequest withExcludes(BackupRequest r, List<String> extra) {
        if (extra.isEmpty()) {
            return r;
        }
        List<byte[]> excludes = new ArrayList<>(r.rules().excludes());
        for (String e : extra) {
            excludes.add(e.getBytes(StandardCharsets.UTF_8));
        }
        ScanRules rules = ScanRules.ofBytes(r.rules().includes(), excludes, r.rules().oneFileSystem(),
                r.rules().excludeCaches());
        return new BackupRequest(r.job(), r.host(), r.roots(), rules, r.useParent(), r.errorPolicy());
    }

    private BackupResult backup(Plan plan, BackupRequest request, Consumer<BackupStats> onStart,
            Cancellation cancellation) throws Exception {
        if (cancellation.cancelled()) {
            throw new BackupAbortedException("job " + request.job() + " was cancelled before its backup started");
        }
        if (plan.sink() != null) {
            return push(plan, request, onStart, cancellation);
        }
        // The lock comes before the index is loaded: a prune running between loading and
        // locking could delete packs this backup would then believe present.
        try (RepositoryLock lock = RepositoryLock.acquireBeforeOpen(plan.target().repository(),
                        RepositoryLock.Mode.SHARED, RepositoryLock.Owner.current(), clock);
                OpenRepository open = OpenRepository.open(plan.target(), plan.compression(), plan.compressionLevel());
                LocalBlobSink sink = new LocalBlobSink(open.repository())) {
            RepositorySettings s = open.repository().settings();
            ChunkerParams chunking = plan.chunking() != null ? plan.chunking()
                    : new ChunkerParams(s.chunkerMinSize(), s.chunkerAvgSize(), s.chunkerMaxSize());
            BackupRunner.Run run = new BackupRunner(workers, clock).prepare(request, open.repository(), sink,
                    open.codec(), chunking);
            onStart.accept(run.stats());
            cancellation.onCancel(run::cancel);
            try {
                return run.execute();
            } finally {
                cancellation.onCancel(() -> {});
            }
        }
    }

    /**
     * A push to a remote sink: the blobs are sealed here with the key file's key and sent over mutual TLS; the
     * sink stores and commits them. The key is first checked against the sink repository's key check, so a wrong
     * key file fails before any data is sent.
     */
    private BackupResult push(Plan plan, BackupRequest request, Consumer<BackupStats> onStart,
            Cancellation cancellation) throws Exception {
        SinkTarget sink = plan.sink();
        if (plan.chunking() == null) {
            throw new IllegalArgumentException("job " + request.job() + ": a push needs chunking settings");
        }
        String algorithm = plan.compression() != null ? plan.compression() : PUSH_COMPRESSION;
        int level = plan.compressionLevel() != null ? plan.compressionLevel() : PUSH_COMPRESSION_LEVEL;
        MasterKey key = KeyFile.read(sink.keyFile());
        try (BlobCodec codec = new BlobCodec(key, new BlobCompressor(algorithm, level))) {
            Link link = sink.connect();
            try (RemoteBlobSink remote = RemoteBlobSink.open(link, request.job())) {
                Optional<KeyCheckCodec.Answer> check = remote.keyCheck();
                SinkReads.verifyKey(check, key, sink);
                // the cache is keyed by the sink repository's id; a repository without a key check has no id here
                TreeCache trees = check.flatMap(c -> treeCacheRoot.map(root -> TreeCache.forJob(root,
                        c.repositoryId(), request.job()))).orElse(TreeCache.none());
                BackupRunner.Run run = new BackupRunner(workers, clock).prepare(request, remote, remote, codec,
                        plan.chunking(), trees);
                onStart.accept(run.stats());
                cancellation.onCancel(run::cancel);
                try {
                    return run.execute();
                } finally {
                    cancellation.onCancel(() -> {});
                }
            }
        } finally {
            key.destroy();
        }
    }

    /** The transfer summary a transfer.post hook reads on stdin. */
    static byte[] summaryJson(BackupResult r) {
        BackupStats s = r.stats();
        return new JsonWriter().beginObject()
                .field("snapshot", r.snapshot().hex())
                .field("files_new", s.filesNew())
                .field("files_changed", s.filesChanged())
                .field("files_unchanged", s.filesUnchanged())
                .field("problems", s.problems())
                .field("bytes_total", s.bytesTotal())
                .field("bytes_read", s.bytesRead())
                .field("bytes_added", s.bytesAdded())
                .field("duration_ms", r.duration().toMillis())
                .endObject().toString().getBytes(StandardCharsets.UTF_8);
    }
}
