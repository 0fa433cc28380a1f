package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.content.RepositoryKeys;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.IndexEntry;
import dev.sluice.engine.repository.RefsIterator;
import dev.sluice.engine.repository.RefsLookup;
import dev.sluice.engine.repository.RefsWriter;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryLayout;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.RepositoryLockedException;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.retention.SnapshotRateLimitException;
import dev.sluice.engine.sink.LocalBlobSink;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import dev.sluice.transport.PeerIdentity;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * The sink side of a push or a read session: serves one authenticated peer over a {@link Link} with append-only
 * operations on a local repository (has, put, put-refs, commit, list own snapshots, read tree blobs of own
 * snapshots) or, in a read session, reads of blobs its own snapshots reference. Anything else is answered with
 * ERROR and ends the session. The sink never holds a key.
 */
public final class SinkServer {
    /** How long the sink waits, after a fatal ERROR, for the source to close before it closes the link itself. */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
    /**
     * Frames a session takes from its link ahead of the one being handled. Small on purpose: what a session has
     * read and not yet handled is sink memory (a PUT is up to a chunk), multiplied by the number of sessions.
     */
    static final int RECEIVE_AHEAD = 2;

    /**
     * How long a new session waits for the repository's shared lock while another process or the sink's retention
     * holds it exclusively (a prune), polling every {@link #LOCK_POLL}, before the session is refused.
     */
    public static final Duration LOCK_WAIT = Duration.ofSeconds(60);
    static final Duration LOCK_POLL = Duration.ofMillis(250);

    private final Path repositoryRoot;
    /** Read at each check, so a reload's new policy applies to the sessions that open (and commit) after it. */
    private volatile SinkPolicy policy;
    private final Clock clock;
    private final Scheduler io;
    private final SharedRepository shared = new SharedRepository();
    private final SessionListener listener;

    /** Hears that a session ended and released its repository lock (the sink's retention listens). */
    public interface SessionListener {
        /** Does nothing. */
        SessionListener NONE = (peer, job, committed) -> { };

        /**
         * Called once per session, on an I/O thread, after its lock is released; must not block or throw.
         *
         * @param job the session's job, or null when it never opened one
         * @param committed how many snapshots the session added
         */
        void ended(PeerIdentity peer, String job, int committed);
    }

    /**
     * @param repositoryRoot the sink's repository (initialised beforehand)
     * @param clock          gives the receipt time stored in each snapshot record
     * @param io             where repository I/O runs (never the link's event loop)
     */
    public SinkServer(Path repositoryRoot, SinkPolicy policy, Clock clock, Scheduler io) {
        this(repositoryRoot, policy, clock, io, SessionListener.NONE);
    }

    /** @param listener told when each session has ended (e.g. to prune what it added) */
    public SinkServer(Path repositoryRoot, SinkPolicy policy, Clock clock, Scheduler io, SessionListener listener) {
        this.listener = listener;
        this.repositoryRoot = repositoryRoot;
        this.policy = policy;
        this.clock = clock;
        this.io = io;
    }

    /**
     * Serves one session until the peer ends it or breaks a rule; completes with the reason this side ended it,
     * or else the reason the link ended.
     * Blobs that arrived stay in the repository (indexed), so an interrupted push resumes cheaply.
     */
    public Mono<CloseReason> serve(Link link) {
        return Mono.usingWhen(
                Mono.fromCallable(() -> new Session(link)).subscribeOn(io)
                        .retryWhen(Retry.fixedDelay(LOCK_WAIT.toMillis() / LOCK_POLL.toMillis(), LOCK_POLL)
                                .filter(RepositoryLockedException.class::isInstance).scheduler(io)
                                .onRetryExhaustedThrow((spec, signal) -> signal.failure())),
                s -> link.send(link.receive().map(Received::of).publishOn(io, RECEIVE_AHEAD)
                                .concatMap(s::handle, 1)
                                .takeUntil(f -> s.ending != null))
                        .onErrorResume(LinkClosedException.class, e -> Mono.empty())
                        .then(Mono.defer(() -> {
                            if (s.ending == null) {
                                return link.onClose();
                            }
                            // The source closes when it reads the ERROR; closing at once could overtake the
                            // ERROR on some carriers, so the sink waits a little and then closes itself.
                            return link.onClose().timeout(CLOSE_GRACE, Mono.fromRunnable(() -> link.close(s.ending)), io)
                                    .thenReturn(s.ending);
                        })),
                s -> Mono.fromRunnable(s::close).subscribeOn(io),
                (s, e) -> Mono.fromRunnable(s::close).subscribeOn(io),
                s -> Mono.fromRunnable(s::close).subscribeOn(io));
    }

    /**
     * A received frame copied out of its buffer, which is released at once: operators may queue or drop these
     * freely without owning a buffer.
     */
    private record Received(int type, byte[] payload) {
        static Received of(Frame f) {
            try {
                byte[] bytes = new byte[f.payload().readableBytes()];
                f.payload().readBytes(bytes);
                return new Received(f.type(), bytes);
            } finally {
                f.release();
            }
        }
    }

    /**
     * Which identities may push which jobs, and the snapshot rate limit, from now on: sessions opened afterwards are
     * checked against it, and so is every later commit (a daemon's reload).
     */
    public void setPolicy(SinkPolicy policy) {
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
    }

    /** One peer's session: its repository handle, lock, blob sink and state. */
    private final class Session {
        private final Link link;
        private final PeerIdentity peer;
        private final Repository repository;
        private final RepositoryLock lock;
        private final LocalBlobSink sink;
        private String job;
        private int refsRequest;
        /** The reference list being received, written to a temporary file part by part (null between lists). */
        private RefsWriter refs;
        private Set<BlobId> ownTreeBlobs;
        /** The reference list delta being received (PUT_REFS_DELTA parts), or null. */
        private RefsDeltaMerge refsDelta;
        /** A read session (OPEN_READ): reads only, nothing can be added. */
        private boolean reading;
        /** The reference list of the snapshot the last READ_BLOB named (reads come snapshot by snapshot). */
        private RefsLookup readRefs;
        private SnapshotId readSnapshot;
        private boolean closed;
        private int committed;
        volatile CloseReason ending;

        Session(Link link) throws IOException {
            this.link = link;
            this.peer = link.peer();
            RepositoryLock l = RepositoryLock.acquire(new RepositoryLayout(repositoryRoot), RepositoryLock.Mode.SHARED,
                    RepositoryLock.Owner.current(), clock);
            try {
                this.repository = shared.acquire();
            } catch (IOException | RuntimeException e) {
                l.close();
                throw e;
            }
            this.lock = l;
            this.sink = new LocalBlobSink(repository);
        }

        Flux<Frame> handle(Received frame) {
            byte[] payload = frame.payload();
            int wireType = frame.type();
            if (ending != null) {
                return Flux.empty();
            }
            int requestId = payload.length >= 4 ? (payload[0] & 0xff) << 24 | (payload[1] & 0xff) << 16
                    | (payload[2] & 0xff) << 8 | (payload[3] & 0xff) : 0;
            try {
                return Flux.fromIterable(answer(wireType, payload))
                        .map(p -> new Frame(p.type.wire(), Unpooled.wrappedBuffer(p.bytes)));
            } catch (ProtocolException e) {
                return refuse(requestId, e.code(), e.getMessage());
            } catch (SnapshotRateLimitException e) {
                return refuse(requestId, ErrorCode.RATE_LIMITED, e.getMessage());
            } catch (IOException | RuntimeException e) {
                return refuse(requestId, ErrorCode.STORAGE, "sink storage failed: " + e.getMessage());
            }
        }

        private Flux<Frame> refuse(int requestId, ErrorCode code, String message) {
            if (code.fatal()) {
                ending = CloseReason.of(code == ErrorCode.STORAGE ? CloseReason.Code.APPLICATION_ERROR
                        : CloseReason.Code.PROTOCOL_ERROR, message);
            }
            // not Flux.just: concatMap may discard (release) a scalar it already emitted when takeUntil cancels
            return Flux.fromIterable(List.of(new Frame(MessageType.ERROR.wire(),
                    Unpooled.wrappedBuffer(ErrorCodec.encode(requestId, code, message)))));
        }

        private record Out(MessageType type, byte[] bytes) {
        }

        private List<Out> answer(int wireType, byte[] payload) throws IOException, SnapshotRateLimitException {
            MessageType type = MessageType.fromWire(wireType);
            if (type == null) {
                throw new ProtocolException(ErrorCode.UNKNOWN_MESSAGE, "frame type " + wireType + " is not a message"
                        + " this sink serves; a source may only add blobs and snapshots (there is no delete or"
                        + " overwrite)");
            }
            if (type == MessageType.OPEN || type == MessageType.OPEN_READ) {
                SessionCodec.Open open = SessionCodec.decodeOpen(type, payload);
                if (job != null) {
                    throw new ProtocolException(ErrorCode.NOT_OPEN, "this session is already open for job " + job);
                }
                if (!policy.allows(peer, open.job())) {
                    throw new ProtocolException(ErrorCode.JOB_NOT_ALLOWED, "peer '" + peer.name()
                            + "' is not configured for job '" + open.job() + "' on this sink");
                }
                job = open.job();
                reading = type == MessageType.OPEN_READ;
                return List.of(new Out(MessageType.OPENED, SessionCodec.idOnly(open.requestId())));
            }
            if (job == null) {
                throw new ProtocolException(ErrorCode.NOT_OPEN, type + " before OPEN: a session must first name"
                        + " its job");
            }
            if (reading && (type == MessageType.PUT || type == MessageType.PUT_REFS || type == MessageType.COMMIT
                    || type == MessageType.PUT_REFS_DELTA)) {
                throw new ProtocolException(ErrorCode.REFUSED, type + " in a read session of job '" + job
                        + "': a read session cannot add anything");
            }
            return switch (type) {
                case HAS -> {
                    HasCodec.Request r = HasCodec.decodeRequest(payload);
                    boolean[] present = new boolean[r.ids().size()];
                    for (int i = 0; i < present.length; i++) {
                        present[i] = sink.has(r.ids().get(i));
                    }
                    yield List.of(new Out(MessageType.HAS_RESULT, HasCodec.result(r.requestId(), present)));
                }
                case PUT -> {
                    PutCodec.Put p = PutCodec.decode(payload);
                    long before = sink.blobsStored();
                    sink.put(p.id(), p.kind(), p.sealed());
                    yield List.of(new Out(MessageType.PUT_DONE, PutCodec.done(p.requestId(),
                            sink.blobsStored() > before)));
                }
                case PUT_REFS -> refsPart(RefsCodec.decodePart(payload));
                case PUT_REFS_DELTA -> refsDeltaPart(RefsDeltaCodec.decode(payload));
                case COMMIT -> List.of(commit(CommitCodec.decode(payload)));
                case LIST_SNAPSHOTS -> {
                    int rid = SessionCodec.decodeIdOnly(type, payload);
                    List<Out> out = new ArrayList<>();
                    for (byte[] part : SnapshotListCodec.parts(rid, ownSnapshots(), link.maxFrameLength())) {
                        out.add(new Out(MessageType.SNAPSHOTS, part));
                    }
                    yield out;
                }
                case GET_BLOB -> {
                    GetBlobCodec.Get g = GetBlobCodec.decode(payload);
                    if (!ownTreeBlobs().contains(g.id())) {
                        throw new ProtocolException(ErrorCode.NOT_FOUND, "blob " + g.id().shortHex() + " is not a"
                                + " tree blob of a snapshot of job '" + job + "' from '" + peer.name() + "'");
                    }
                    yield List.of(new Out(MessageType.BLOB, GetBlobCodec.blob(g.requestId(),
                            repository.readBlob(g.id()))));
                }
                case GET_KEY_CHECK -> {
                    int rid = SessionCodec.decodeIdOnly(type, payload);
                    Optional<byte[]> check = RepositoryKeys.storedCheck(repository);
                    if (check.isEmpty()) {
                        throw new ProtocolException(ErrorCode.NOT_FOUND, "this sink's repository has no key check"
                                + " (it was not created with a key)");
                    }
                    yield List.of(new Out(MessageType.KEY_CHECK, KeyCheckCodec.answer(rid,
                            repository.settings().repositoryId(), check.get())));
                }
                case READ_BLOB -> {
                    if (!reading) {
                        throw new ProtocolException(ErrorCode.REFUSED, "READ_BLOB in a push session of job '" + job
                                + "': data is read in a read session (OPEN_READ)");
                    }
                    GetBlobCodec.Read read = GetBlobCodec.decodeRead(payload);
                    yield List.of(new Out(MessageType.BLOB, GetBlobCodec.blob(read.requestId(),
                            readReferenced(read.snapshot(), read.id()))));
                }
                default -> throw new ProtocolException(ErrorCode.UNKNOWN_MESSAGE, type + " (frame type " + wireType
                        + ") is an answer, not a request this sink serves");
            };
        }

        private List<Out> refsPart(RefsCodec.Part part) throws IOException {
            if (refsDelta != null) {
                throw new ProtocolException(ErrorCode.MALFORMED, "PUT_REFS while the reference list delta of request "
                        + refsDelta.requestId() + " is unfinished");
            }
            if (refs == null) {
                refs = repository.refsWriter();
                refsRequest = part.requestId();
            } else if (refsRequest != part.requestId()) {
                throw new ProtocolException(ErrorCode.MALFORMED, "PUT_REFS part of request " + part.requestId()
                        + " while the reference list of request " + refsRequest + " is unfinished");
            }
            for (BlobId id : part.ids()) {
                try {
                    refs.add(id); // a list that fails below is dropped with the session (its temporary file removed)
                } catch (IllegalArgumentException e) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "reference list ids are not strictly ascending"
                            + " at " + id.shortHex());
                }
                if (!sink.has(id)) {
                    throw new ProtocolException(ErrorCode.REFUSED, "the reference list names blob " + id.shortHex()
                            + ", which this sink does not store; a snapshot may only reference stored blobs");
                }
            }
            if (!part.last()) {
                return List.of();
            }
            BlobId stored;
            try (RefsWriter list = refs) {
                refs = null;
                stored = list.commit();
            }
            return List.of(new Out(MessageType.REFS_STORED, RefsCodec.stored(part.requestId(), stored)));
        }

        /**
         * A part of a reference list given as a difference against the parent's list: the parent must be one of
         * this peer's own snapshots of the job, the same rules as PUT_REFS hold for the ids, and nothing is written
         * unless the whole delta applies.
         */
        private List<Out> refsDeltaPart(RefsDeltaCodec.Part part) throws IOException {
            if (refs != null) {
                throw new ProtocolException(ErrorCode.MALFORMED, "PUT_REFS_DELTA while the reference list of request "
                        + refsRequest + " is unfinished");
            }
            if (refsDelta == null) {
                SnapshotRecord parent = null;
                for (SnapshotRecord s : ownSnapshots()) {
                    if (s.id().equals(part.parent())) {
                        parent = s;
                    }
                }
                if (parent == null) {
                    throw new ProtocolException(ErrorCode.REFUSED, "the reference list delta names parent "
                            + part.parent().shortHex() + ", which is not a snapshot of job '" + job + "' from '"
                            + peer.name() + "'");
                }
                refsDelta = new RefsDeltaMerge(part.requestId(), parent);
            } else if (refsDelta.requestId() != part.requestId()) {
                throw new ProtocolException(ErrorCode.MALFORMED, "PUT_REFS_DELTA part of request " + part.requestId()
                        + " while the delta of request " + refsDelta.requestId() + " is unfinished");
            }
            refsDelta.accept(part, sink);
            if (!part.last()) {
                return List.of();
            }
            RefsDeltaMerge merge = refsDelta;
            refsDelta = null;
            BlobId stored = merge.finish(repository, sink);
            return List.of(new Out(MessageType.REFS_STORED, RefsCodec.stored(part.requestId(), stored)));
        }

        private Out commit(CommitCodec.Commit c) throws IOException, SnapshotRateLimitException {
            SnapshotRecord sent = c.record();
            if (!sent.job().equals(job)) {
                throw new ProtocolException(ErrorCode.REFUSED, "a snapshot of job '" + sent.job()
                        + "' in a session for job '" + job + "': a source may only add snapshots of its own job");
            }
            List<SnapshotRecord> own = ownSnapshots();
            if (sent.parent() != null && own.stream().noneMatch(s -> s.id().equals(sent.parent()))) {
                throw new ProtocolException(ErrorCode.REFUSED, "the snapshot names parent "
                        + sent.parent().shortHex() + ", which is not a snapshot of job '" + job + "' from '"
                        + peer.name() + "'");
            }
            Instant receipt = clock.instant();
            policy.rateLimit().check(repository.snapshots(), job, peer.name(), receipt);
            // the sink records who sent it (the authenticated peer) and when it arrived, never what the peer claims
            SnapshotRecord stored = SnapshotRecord.create(job, peer.name(), receipt, sent.parent(), sent.files(),
                    sent.dirs(), sent.bytes(), sent.addedBytes(), sent.addedBlobs(), sent.refs(),
                    sent.sealedPayload());
            SnapshotId id = sink.commit(stored);
            committed++;
            ownTreeBlobs = null;
            return new Out(MessageType.COMMITTED, CommitCodec.committed(c.requestId(), id));
        }

        /**
         * The sealed bytes of {@code id} if the peer's own snapshot {@code snapshot} of this job references it;
         * NOT_FOUND (not fatal) for another peer's or job's snapshot, an unreferenced blob or a missing one.
         */
        private byte[] readReferenced(SnapshotId snapshot, BlobId id) throws IOException {
            if (!snapshot.equals(readSnapshot)) {
                SnapshotRecord record = null;
                for (SnapshotRecord s : ownSnapshots()) {
                    if (s.id().equals(snapshot)) {
                        record = s;
                    }
                }
                if (record == null) {
                    throw new ProtocolException(ErrorCode.NOT_FOUND, "snapshot " + snapshot.shortHex() + " is not a"
                            + " snapshot of job '" + job + "' from '" + peer.name() + "'");
                }
                RefsLookup next = repository.refsLookup(record.refs());
                RefsLookup previous = readRefs;
                readRefs = next;
                readSnapshot = snapshot;
                if (previous != null) {
                    previous.close();
                }
            }
            if (!readRefs.contains(id)) {
                throw new ProtocolException(ErrorCode.NOT_FOUND, "blob " + id.shortHex() + " is not referenced by"
                        + " snapshot " + snapshot.shortHex() + " of job '" + job + "'");
            }
            IndexEntry entry = repository.index().lookup(id);
            if (entry == null) {
                throw new ProtocolException(ErrorCode.NOT_FOUND, "blob " + id.shortHex() + " of snapshot "
                        + snapshot.shortHex() + " is missing from this sink's repository");
            }
            return repository.readBlob(entry);
        }

        private List<SnapshotRecord> ownSnapshots() throws IOException {
            List<SnapshotRecord> own = new ArrayList<>();
            for (SnapshotRecord s : repository.snapshots()) {
                if (s.job().equals(job) && s.host().equals(peer.name())) {
                    own.add(s);
                }
            }
            return own;
        }

        private Set<BlobId> ownTreeBlobs() throws IOException {
            if (ownTreeBlobs == null) {
                Set<BlobId> trees = new HashSet<>();
                for (SnapshotRecord s : ownSnapshots()) {
                    try (RefsIterator it = repository.readRefs(s.refs())) {
                        while (it.hasNext()) {
                            BlobId id = it.next();
                            IndexEntry e = repository.index().lookup(id);
                            if (e != null && e.kind() == BlobKind.TREE) {
                                trees.add(id);
                            }
                        }
                    }
                }
                ownTreeBlobs = trees;
            }
            return ownTreeBlobs;
        }

        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try (RepositoryLock l = lock; SharedRepository.Release r = shared::release; LocalBlobSink s = sink;
                    RefsLookup lookup = readRefs; RefsWriter unfinished = refs) {
                // closing the blob sink finishes and indexes what arrived, for the next session
            } catch (IOException e) {
                throw new UncheckedIOException("closing the sink session of peer '" + peer.name()
                        + "' failed: " + e.getMessage(), e);
            }
            listener.ended(peer, job, committed);
        }
    }

    /**
     * One open repository (and so one in-memory index) for all sessions at once, instead of one per session: it is
     * opened by the first session and closed when the last one ends. Every session holds a shared lock while it
     * uses it, so a prune (exclusive) cannot run while it is open and its index cannot go stale.
     */
    private final class SharedRepository {
        private Repository open;
        private int users;

        /** Closes one session's use of the repository. */
        interface Release extends AutoCloseable {
            @Override
            void close() throws IOException;
        }

        /** Called with the session's shared lock held. */
        synchronized Repository acquire() throws IOException {
            if (open == null) {
                open = Repository.open(repositoryRoot);
            }
            users++;
            return open;
        }

        synchronized void release() throws IOException {
            if (--users == 0) {
                Repository closing = open;
                open = null;
                closing.close();
            }
        }
    }
}
