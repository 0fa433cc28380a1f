package dev.sluice.engine.protocol;

import dev.sluice.engine.backup.ParentSource;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.sink.BlobSink;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * The source side of a push: a {@link BlobSink} and {@link ParentSource} that sends the backup protocol over a
 * {@link Link} to a {@link SinkServer}. Requests are pipelined (at most {@link #MAX_OUTSTANDING} unanswered, and
 * at most {@link #PUT_BYTE_BUDGET} bytes of unanswered PUTs); the blocking methods must not run on an event loop.
 */
public final class RemoteBlobSink implements BlobSink, ParentSource {
    /** Requests sent and not yet answered, at most. */
    public static final int MAX_OUTSTANDING = 64;
    /** PUT_REFS parts (each up to a frame) queued for the link at most; a long list waits for the link instead. */
    static final int MAX_QUEUED_REFS_PARTS = 4;
    /** Sealed bytes of PUTs sent and not yet answered, at most: a slow sink slows the source. */
    public static final int PUT_BYTE_BUDGET = 32 << 20;

    private final Link link;
    private final String job;
    /** Frames waiting for the link to take them; PUT_REFS parts wait for room here instead of piling up. */
    private final Queue<Frame> outQueue = Queues.<Frame>unbounded(64).get();
    private final Sinks.Many<Frame> out = Sinks.many().unicast().onBackpressureBuffer(outQueue);
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Semaphore requests = new Semaphore(MAX_OUTSTANDING);
    private final Semaphore putBytes = new Semaphore(PUT_BYTE_BUDGET);
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final AtomicLong bytesStored = new AtomicLong();
    private final AtomicLong blobsStored = new AtomicLong();
    private Disposable sending;
    private Disposable receiving;

    /** One request waiting for its answer. */
    private static final class Pending {
        final int id;
        final MessageType answer;
        final int putPermits;
        final int putLength;
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        final List<SnapshotRecord> records = new ArrayList<>();

        Pending(int id, MessageType answer, int putPermits, int putLength) {
            this.id = id;
            this.answer = answer;
            this.putPermits = putPermits;
            this.putLength = putLength;
        }
    }

    private RemoteBlobSink(Link link, String job) {
        this.link = link;
        this.job = job;
    }

    /** Opens a session for {@code job} over {@code link}; fails if the sink does not allow this peer that job. */
    public static RemoteBlobSink open(Link link, String job) throws IOException {
        return open(link, job, MessageType.OPEN);
    }

    /** Opens a push ({@code OPEN}) or read ({@code OPEN_READ}) session. */
    static RemoteBlobSink open(Link link, String job, MessageType openType) throws IOException {
        RemoteBlobSink s = new RemoteBlobSink(link, job);
        s.start();
        try {
            s.await(s.send(openType, MessageType.OPENED, id -> SessionCodec.open(id, job), 0, 0).result);
        } catch (IOException | RuntimeException e) {
            s.link.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR, "opening job " + job + " failed"));
            throw e;
        }
        return s;
    }

    private void start() {
        // A closed link is reported by receive(), after the frames the sink sent before closing (an ERROR
        // explains more than the close does); any other send failure ends the session here.
        sending = link.send(out.asFlux().doOnDiscard(Frame.class, Frame::releaseQuietly))
                .subscribe(null, e -> {
                    if (!(e instanceof LinkClosedException)) {
                        fail(asIo("sending to sink " + link.peer().name() + " failed", e));
                    }
                });
        receiving = link.receive().subscribe(this::onFrame,
                e -> fail(asIo("the link to sink " + link.peer().name() + " failed", e)),
                () -> fail(new IOException("sink " + link.peer().name() + " ended the session")));
    }

    /** The job this session is bound to. */
    public String job() {
        return job;
    }

    @Override
    public boolean has(BlobId id) throws IOException {
        byte[] answer = call(MessageType.HAS_RESULT, rid -> HasCodec.request(rid, List.of(id)));
        return HasCodec.decodeResult(answer, 1)[0];
    }

    /** One HAS per {@link HasCodec#MAX_IDS} ids, all sent before the first answer is awaited. */
    @Override
    public boolean[] has(List<BlobId> ids) throws IOException {
        List<Pending> sent = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += HasCodec.MAX_IDS) {
            List<BlobId> batch = ids.subList(from, Math.min(ids.size(), from + HasCodec.MAX_IDS));
            sent.add(send(MessageType.HAS_RESULT, rid -> HasCodec.request(rid, batch), 0, 0));
        }
        boolean[] out = new boolean[ids.size()];
        int at = 0;
        for (Pending p : sent) {
            int n = Math.min(HasCodec.MAX_IDS, ids.size() - at);
            System.arraycopy(HasCodec.decodeResult(await(p.result), n), 0, out, at, n);
            at += n;
        }
        return out;
    }

    /** The sink repository's key check, or empty if it has none (it was created without a key). */
    public Optional<KeyCheckCodec.Answer> keyCheck() throws IOException {
        try {
            return Optional.of(KeyCheckCodec.decode(await(send(MessageType.GET_KEY_CHECK, MessageType.KEY_CHECK,
                    SessionCodec::idOnly, 0, 0).result)));
        } catch (ProtocolException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Starts reading a blob that {@code snapshot} references (read sessions only); blocks only while
     * {@link #MAX_OUTSTANDING} requests are unanswered. The future gives the sealed bytes, or fails with a
     * {@link ProtocolException} NOT_FOUND for a blob the snapshot does not reference or the sink lacks.
     */
    CompletableFuture<byte[]> fetch(SnapshotId snapshot, BlobId id) throws IOException {
        return send(MessageType.READ_BLOB, MessageType.BLOB, rid -> GetBlobCodec.readRequest(rid, snapshot, id), 0, 0)
                .result.thenApply(payload -> {
                    try {
                        return GetBlobCodec.decodeBlob(payload);
                    } catch (ProtocolException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
    }

    @Override
    public void put(BlobId id, BlobKind kind, byte[] sealed) throws IOException {
        if (PutCodec.OVERHEAD + sealed.length > link.maxFrameLength()) {
            throw new IOException("blob " + id.shortHex() + " has " + sealed.length + " sealed bytes, more than a frame"
                    + " of sink " + link.peer().name() + " may carry (" + link.maxFrameLength() + " bytes)");
        }
        int permits = Math.min(sealed.length, PUT_BYTE_BUDGET);
        acquire(putBytes, permits);
        // answered asynchronously: PUT_DONE counts what the sink stored; an error fails the session
        send(MessageType.PUT_DONE, rid -> PutCodec.request(rid, id, kind, sealed), permits, sealed.length);
    }

    @Override
    public BlobId putRefs(Iterator<BlobId> sortedUniqueIds) throws IOException {
        drain();
        int perPart = RefsCodec.idsPerPart(link.maxFrameLength());
        Pending p = register(MessageType.REFS_STORED, 0, 0);
        int rid = p.id;
        List<BlobId> part = new ArrayList<>(Math.min(perPart, 1024));
        boolean sentLast = false;
        while (!sentLast) {
            if (sortedUniqueIds.hasNext()) {
                part.add(sortedUniqueIds.next());
            }
            boolean last = !sortedUniqueIds.hasNext();
            if (part.size() == perPart || last) {
                awaitOutboundRoom();
                emit(MessageType.PUT_REFS, RefsCodec.part(rid, last, part));
                part = new ArrayList<>();
                sentLast = last;
            }
        }
        return RefsCodec.decodeStored(await(p.result));
    }

    @Override
    public boolean takesRefsDelta() {
        return true;
    }

    /** Sends PUT_REFS_DELTA parts (after every PUT is answered) and waits for REFS_STORED. */
    @Override
    public BlobId putRefsDelta(SnapshotId parent, List<BlobId> added, List<BlobId> removed) throws IOException {
        drain();
        int perPart = RefsDeltaCodec.idsPerPart(link.maxFrameLength());
        Pending p = register(MessageType.REFS_STORED, 0, 0);
        int a = 0;
        int r = 0;
        do {
            int takeAdded = Math.min(perPart, added.size() - a);
            int takeRemoved = Math.min(perPart - takeAdded, removed.size() - r);
            boolean last = a + takeAdded == added.size() && r + takeRemoved == removed.size();
            emit(MessageType.PUT_REFS_DELTA, RefsDeltaCodec.part(p.id, last, parent, added.subList(a, a + takeAdded),
                    removed.subList(r, r + takeRemoved)));
            a += takeAdded;
            r += takeRemoved;
        } while (a < added.size() || r < removed.size());
        return RefsCodec.decodeStored(await(p.result));
    }

    @Override
    public SnapshotId commit(SnapshotRecord record) throws IOException {
        drain();
        return CommitCodec.decodeCommitted(call(MessageType.COMMITTED, rid -> CommitCodec.request(rid, record)));
    }

    /** The sink's newest snapshot of this session's job from this peer; {@code host} is decided by the sink. */
    @Override
    public Optional<SnapshotRecord> latest(String job, String host) throws IOException {
        if (!job.equals(this.job)) {
            throw new IllegalArgumentException("this session with sink " + link.peer().name() + " is for job "
                    + this.job + ", not " + job);
        }
        return snapshots().stream().max(Comparator.comparing(SnapshotRecord::time));
    }

    /** Every snapshot of this session's job from this peer, as the sink lists them. */
    public List<SnapshotRecord> snapshots() throws IOException {
        Pending p = register(MessageType.SNAPSHOTS, 0, 0);
        emit(MessageType.LIST_SNAPSHOTS, SessionCodec.idOnly(p.id));
        await(p.result);
        synchronized (p.records) {
            return List.copyOf(p.records);
        }
    }

    @Override
    public byte[] readBlob(BlobId id) throws IOException {
        return GetBlobCodec.decodeBlob(call(MessageType.BLOB, rid -> GetBlobCodec.request(rid, id)));
    }

    @Override
    public long bytesStored() {
        return bytesStored.get();
    }

    @Override
    public long blobsStored() {
        return blobsStored.get();
    }

    /** Waits for every answer, then ends the session normally; blobs stored but not committed stay at the sink. */
    @Override
    public void close() throws IOException {
        try {
            if (failure.get() == null) {
                drain();
            }
        } finally {
            link.close(CloseReason.normal());
            // completing the outbound flux ends the send normally; disposing it could drop the link's error
            out.tryEmitComplete();
            if (receiving != null) {
                receiving.dispose();
            }
        }
    }

    // ---- requests

    private interface Encoder {
        byte[] encode(int requestId);
    }

    private byte[] call(MessageType answer, Encoder encoder) throws IOException {
        return await(send(answer, encoder, 0, 0).result);
    }

    private Pending send(MessageType answer, Encoder encoder, int putPermits, int putLength) throws IOException {
        return send(requestTypeOf(answer), answer, encoder, putPermits, putLength);
    }

    private Pending send(MessageType request, MessageType answer, Encoder encoder, int putPermits, int putLength)
            throws IOException {
        Pending p = register(answer, putPermits, putLength);
        emit(request, encoder.encode(p.id));
        return p;
    }

    private Pending register(MessageType answer, int putPermits, int putLength) throws IOException {
        try {
            acquire(requests, 1);
        } catch (IOException e) {
            putBytes.release(putPermits);
            throw e;
        }
        int id = nextId.getAndUpdate(i -> i == Integer.MAX_VALUE ? 1 : i + 1);
        Pending p = new Pending(id, answer, putPermits, putLength);
        pending.put(id, p);
        IOException failed = failure.get();
        if (failed != null) {
            finish(id, p);
            throw failed;
        }
        return p;
    }

    private void emit(MessageType type, byte[] payload) throws IOException {
        Sinks.EmitResult r;
        synchronized (out) {
            r = out.tryEmitNext(new Frame(type.wire(), Unpooled.wrappedBuffer(payload)));
        }
        if (r.isFailure()) {
            checkFailed();
            throw new IOException("cannot send " + type + " to sink " + link.peer().name() + ": the session is over ("
                    + r + ")");
        }
    }

    private static MessageType requestTypeOf(MessageType answer) {
        return switch (answer) {
            case OPENED -> MessageType.OPEN;
            case HAS_RESULT -> MessageType.HAS;
            case PUT_DONE -> MessageType.PUT;
            case REFS_STORED -> MessageType.PUT_REFS;
            case COMMITTED -> MessageType.COMMIT;
            case SNAPSHOTS -> MessageType.LIST_SNAPSHOTS;
            case BLOB -> MessageType.GET_BLOB;
            default -> throw new IllegalArgumentException(answer + " is not an answer");
        };
    }

    /** Waits until every request sent so far is answered, then throws the session's failure, if any. */
    private void drain() throws IOException {
        acquire(requests, MAX_OUTSTANDING);
        requests.release(MAX_OUTSTANDING);
        checkFailed();
    }

    /** Waits while more than {@link #MAX_QUEUED_REFS_PARTS} frames wait for the link (it takes them as it writes). */
    private void awaitOutboundRoom() throws IOException {
        while (outQueue.size() > MAX_QUEUED_REFS_PARTS && out.currentSubscriberCount() > 0) {
            checkFailed();
            LockSupport.parkNanos(200_000);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while sending the reference list to sink "
                        + link.peer().name());
            }
        }
    }

    private void acquire(Semaphore s, int permits) throws IOException {
        checkFailed();
        try {
            s.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for sink " + link.peer().name());
        }
        IOException failed = failure.get();
        if (failed != null) {
            s.release(permits);
            throw failed;
        }
    }

    private void checkFailed() throws IOException {
        IOException failed = failure.get();
        if (failed != null) {
            throw new IOException(failed.getMessage(), failed);
        }
    }

    /** Waits for an answer; a refusal keeps its error code. */
    static byte[] await(CompletableFuture<byte[]> f, String sink) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for sink " + sink);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof ProtocolException pe) {
                throw new ProtocolException(pe.code(), pe.getMessage());
            }
            throw new IOException(cause.getMessage(), cause);
        }
    }

    private byte[] await(CompletableFuture<byte[]> f) throws IOException {
        return await(f, link.peer().name());
    }

    // ---- answers (on the link's thread: no blocking here)

    private void onFrame(Frame frame) {
        byte[] payload;
        try {
            payload = new byte[frame.payload().readableBytes()];
            frame.payload().readBytes(payload);
        } finally {
            frame.release();
        }
        try {
            handle(frame.type(), payload);
        } catch (ProtocolException e) {
            fail(e);
            link.close(CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, e.getMessage()));
        }
    }

    private void handle(int wireType, byte[] payload) throws ProtocolException {
        MessageType type = MessageType.fromWire(wireType);
        if (type == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_MESSAGE, "sink " + link.peer().name()
                    + " sent frame type " + wireType + ", which this protocol does not have");
        }
        if (type == MessageType.ERROR) {
            ErrorCodec.Error err = ErrorCodec.decode(payload);
            ProtocolException refused = new ProtocolException(err.code(), "sink " + link.peer().name()
                    + " refused: " + err.message() + " (" + err.code() + ")");
            if (err.code().fatal() || err.requestId() == 0) {
                // recorded before the request's caller wakes up, so its close() sees the session as failed
                failure.compareAndSet(null, refused);
            }
            Pending p = pending.get(err.requestId());
            if (p != null) {
                finish(err.requestId(), p);
                p.result.completeExceptionally(refused);
            }
            if (err.code().fatal() || err.requestId() == 0) {
                fail(refused);
                String detail = refused.getMessage();
                link.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR,
                        detail.length() > 900 ? detail.substring(0, 900) : detail));
            }
            return;
        }
        int rid = new PayloadReader(type, payload).requestId();
        Pending p = pending.get(rid);
        if (p == null || p.answer != type) {
            throw new ProtocolException(ErrorCode.MALFORMED, "sink " + link.peer().name() + " sent " + type
                    + " for request " + rid + ", which " + (p == null ? "is not waiting" : "waits for " + p.answer));
        }
        if (type == MessageType.SNAPSHOTS) {
            SnapshotListCodec.Part part = SnapshotListCodec.decode(payload);
            synchronized (p.records) {
                p.records.addAll(part.records());
            }
            if (!part.last()) {
                return;
            }
        } else if (type == MessageType.PUT_DONE) {
            if (PutCodec.decodeDone(payload)) {
                blobsStored.incrementAndGet();
                bytesStored.addAndGet(p.putLength);
            }
        }
        finish(rid, p);
        p.result.complete(payload);
    }

    private void finish(int rid, Pending p) {
        if (pending.remove(rid, p)) {
            requests.release();
            if (p.putPermits > 0) {
                putBytes.release(p.putPermits);
            }
        }
    }

    private void fail(IOException e) {
        failure.compareAndSet(null, e);
        for (Map.Entry<Integer, Pending> entry : pending.entrySet()) {
            finish(entry.getKey(), entry.getValue());
            entry.getValue().result.completeExceptionally(failure.get());
        }
    }

    private static IOException asIo(String what, Throwable e) {
        if (e instanceof LinkClosedException lc) {
            return new IOException(what + ": " + lc.reason(), e);
        }
        return new IOException(what + ": " + e.getMessage(), e);
    }
}
