package dev.sluice.engine.backup;

import dev.sluice.engine.buffer.ArrayPool;
import dev.sluice.engine.chunk.Chunker;
import dev.sluice.engine.chunk.ChunkerParams;
import dev.sluice.engine.chunk.GearTable;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.SnapshotPayload;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.scan.ScanStage;
import dev.sluice.engine.sink.BlobSink;
import dev.sluice.engine.repository.RefsDigest;
import dev.sluice.engine.tree.ChunkRef;
import dev.sluice.engine.tree.ParentCursor;
import dev.sluice.engine.tree.TreeCache;
import dev.sluice.engine.tree.TreeReader;
import dev.sluice.engine.tree.TreeWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Composes the stages of a backup — scan, parent join, chunk, delta, seal, store, tree —
 * and writes the snapshot record last. It holds no state between runs.
 */
public final class BackupRunner {
    /** Chunking of the metadata stream: small enough that a changed entry rewrites little. */
    static final ChunkerParams TREE_CHUNKS = new ChunkerParams(16 * 1024, 64 * 1024, 256 * 1024);
    /** The largest plaintext blob a reader accepts (the chunker's hard maximum is smaller). */
    public static final int MAX_BLOB = 64 * 1024 * 1024;

    private final Workers workers;
    private final Clock clock;

    public BackupRunner(Workers workers, Clock clock) {
        this.workers = workers;
        this.clock = clock;
    }

    /** Starts a run: the returned handle gives live statistics and, when subscribed, the result. */
    public Run prepare(BackupRequest request, Repository repository, BlobSink sink, BlobCodec codec,
            ChunkerParams chunking) {
        return new Run(request, ParentSource.of(repository), sink, codec, chunking, TreeCache.none());
    }

    /** Starts a run whose parent snapshot comes from {@code parents} (a local repository or a remote sink). */
    public Run prepare(BackupRequest request, ParentSource parents, BlobSink sink, BlobCodec codec,
            ChunkerParams chunking) {
        return new Run(request, parents, sink, codec, chunking, TreeCache.none());
    }

    /**
     * As above, and reads the parent's tree blobs from {@code treeCache} first (verified with the key), keeps the
     * new snapshot's tree blobs there and, after the commit, only those.
     */
    public Run prepare(BackupRequest request, ParentSource parents, BlobSink sink, BlobCodec codec,
            ChunkerParams chunking, TreeCache treeCache) {
        return new Run(request, parents, sink, codec, chunking, treeCache);
    }

    /** One backup run; {@link #execute()} blocks the calling thread, which must not be an event loop. */
    public final class Run {
        private final BackupRequest request;
        private final ParentSource parents;
        private final BlobSink sink;
        private final BlobCodec codec;
        private final ChunkerParams chunking;
        private final TreeCache treeCache;
        private final ParentTrees parentTrees;
        private final BackupStats stats = new BackupStats();
        private volatile boolean cancelled;
        private volatile CompletableFuture<Void> running;

        Run(BackupRequest request, ParentSource parents, BlobSink sink, BlobCodec codec, ChunkerParams chunking,
                TreeCache treeCache) {
            this.request = request;
            this.parents = parents;
            this.sink = sink;
            this.codec = codec;
            this.chunking = chunking;
            this.treeCache = treeCache;
            this.parentTrees = new ParentTrees(parents, codec, treeCache, stats);
        }

        public BackupStats stats() {
            return stats;
        }

        /**
         * Asks the run to stop: the pipeline is cancelled and {@link #execute()} throws
         * {@link BackupAbortedException} without writing a snapshot record. Safe from any thread, at any time; a
         * run whose snapshot record is already being written completes.
         */
        public void cancel() {
            cancelled = true;
            CompletableFuture<Void> f = running;
            if (f != null) {
                f.cancel(false);
            }
        }

        private void stopIfCancelled() {
            if (cancelled) {
                throw new BackupAbortedException("the backup of job " + request.job()
                        + " was cancelled; no snapshot was written");
            }
        }

        public BackupResult execute() throws IOException {
            Instant start = clock.instant();
            BlobCodec.warmUp(workers.cpu());
            Optional<SnapshotRecord> parent = request.useParent() ? findParent() : Optional.empty();
            SnapshotPayload parentPayload = parent.map(this::payloadOf).orElse(null);
            ParentCursor cursor = parentPayload == null ? ParentCursor.empty()
                    : new ParentCursor(new TreeReader(parentPayload.treeBlobs(), parentTrees));
            // A record's id is the hash of its encoding: compute it once.
            SnapshotId parentId = parent.map(SnapshotRecord::id).orElse(null);

            byte[] seed = codec.key().chunkerSeed();
            GearTable gear = GearTable.fromSeed(seed);
            Chunker dataChunker = new Chunker(chunking, gear);
            Chunker treeChunker = new Chunker(TREE_CHUNKS, gear);
            TreeWriter tree = new TreeWriter(treeChunker, TREE_CHUNKS.max(), codec, sink, treeCache);
            try (RefCollector refs = new RefCollector()) {
                // Chunk buffers in flight are bounded by the stages' concurrency and prefetch;
                // 16 idle arrays per size class cover them, so steady state allocates nothing large.
                ArrayPool pool = new ArrayPool(16);

                Flux<Piece> pieces = new ScanStage(workers.io()).scan(request.roots(), request.rules(), true)
                        .transform(new ParentStage(cursor, true))
                        .transform(new ChunkStage(dataChunker, chunking.max(), codec, workers.io(),
                                Math.max(2, workers.cpus()), stats, pool))
                        .transform(new DeltaStage(sink, stats, pool))
                        .transform(new SealStage(codec, workers.cpu(), workers.cpus(), pool))
                        .transform(new StoreStage(sink, workers.io(), stats, pool));
                Mono<Void> done = new TreeStage(tree, refs, stats, request.errorPolicy()).apply(pieces);
                CompletableFuture<Void> future = done.toFuture();
                running = future;
                if (cancelled) {
                    future.cancel(false);
                }
                try {
                    future.join();
                } catch (CancellationException e) {
                    stopIfCancelled();
                    throw e;
                } catch (CompletionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof UncheckedIOException io) {
                        throw io.getCause();
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw Exceptions.propagate(cause);
                }

                stopIfCancelled();
                List<BlobId> treeBlobs = tree.finish();
                treeBlobs.forEach(refs::add);
                if (tree.cacheProblem() != null) {
                    stats.treeCacheProblem(tree.cacheProblem());
                }
                BlobId refsId = storeRefs(refs, parent.orElse(null), parentPayload);
                stats.treeBlobsAdded.set(sink.blobsStored() - stats.blobsAdded());
                stats.bytesAdded.set(sink.bytesStored());
                List<byte[]> roots = new ArrayList<>();
                for (Path root : request.roots()) {
                    roots.add(RawPath.bytes(root.toAbsolutePath().normalize()));
                }
                Instant taken = clock.instant();
                byte[] payload = codec.sealPayload(refsId, new SnapshotPayload(roots, treeBlobs,
                        new SnapshotPayload.Source(request.job(), request.host(), taken, parentId)).encode());
                SnapshotRecord record = SnapshotRecord.create(request.job(), request.host(), taken, parentId,
                        stats.files(), stats.dirs(), stats.bytesTotal(), stats.bytesAdded(), stats.blobsAdded(),
                        refsId, payload);
                stopIfCancelled();
                SnapshotId id = sink.commit(record);
                try {
                    treeCache.keepOnly(treeBlobs);
                } catch (IOException e) {
                    stats.treeCacheProblem("cannot trim the tree cache: " + e.getMessage());
                }
                return new BackupResult(id, parentId, stats,
                        Duration.between(start, clock.instant()));
            }
        }

        private Optional<SnapshotRecord> findParent() throws IOException {
            return parents.latest(request.job(), request.host());
        }

        /** The parent's decoded payload, or null if it cannot be opened (then every file is read again). */
        private SnapshotPayload payloadOf(SnapshotRecord parent) {
            try {
                return SnapshotPayload.open(codec, parent);
            } catch (IOException e) {
                // A damaged parent costs speed, never correctness: every file is read again.
                stats.parentUnreadable = e.getMessage();
                return null;
            }
        }

        /**
         * Stores the snapshot's reference list. A sink that {@linkplain BlobSink#takesRefsDelta() takes deltas}
         * gets the difference against the parent's list, which is rebuilt here from the parent's tree (its tree
         * blobs and every chunk its entries name) and used only if it hashes to the parent's reference list id;
         * the sink's answer must be the id of the whole list. Anything else sends the whole list.
         */
        private BlobId storeRefs(RefCollector refs, SnapshotRecord parent, SnapshotPayload parentPayload)
                throws IOException {
            // Without a tree cache the parent's tree would be fetched a second time: more bytes than the delta saves.
            if (parent == null || parentPayload == null || !sink.takesRefsDelta() || treeCache.dir().isEmpty()) {
                return sink.putRefs(refs.sortedUnique());
            }
            try (RefCollector before = new RefCollector()) {
                return storeRefsAgainst(refs, before, parent, parentPayload);
            }
        }

        private BlobId storeRefsAgainst(RefCollector refs, RefCollector before, SnapshotRecord parent,
                SnapshotPayload parentPayload) throws IOException {
            parentPayload.treeBlobs().forEach(before::add);
            try {
                TreeReader entries = new TreeReader(parentPayload.treeBlobs(), parentTrees);
                while (entries.hasNext()) {
                    for (ChunkRef c : entries.next().chunks()) {
                        before.add(c.id());
                    }
                }
            } catch (UncheckedIOException e) {
                return sink.putRefs(refs.sortedUnique());
            }
            if (!RefsDigest.of(before.sortedUnique()).equals(parent.refs())) {
                return sink.putRefs(refs.sortedUnique());
            }
            List<BlobId> added = new ArrayList<>();
            List<BlobId> removed = new ArrayList<>();
            RefCollector.difference(refs.sortedUnique(), before.sortedUnique(), added, removed);
            BlobId expected = RefsDigest.of(refs.sortedUnique());
            BlobId stored = sink.putRefsDelta(parent.id(), added, removed);
            if (!stored.equals(expected)) {
                // never reference a list other than the one this run built
                return sink.putRefs(refs.sortedUnique());
            }
            stats.refsDelta = true;
            return stored;
        }
    }
}
