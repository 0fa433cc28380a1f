package dev.sluice.engine.mirror;

import dev.sluice.engine.chunk.ChunkWindow;
import dev.sluice.engine.chunk.Chunker;
import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.MetadataReader;
import dev.sluice.engine.fs.Xattr;
import dev.sluice.engine.scan.XattrJournal;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.mirror.dest.MirrorTargetStats;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.engine.scan.ScanEntry;
import dev.sluice.engine.scan.Walker;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The sending side of a mirror run: walks the roots in path order and streams each entry to the receiver; for a
 * regular file the receiver either keeps its copy (same size and mtime) or answers its chunk list, and the sender
 * answers with COPY for chunks the receiver has and DATA for the rest, then the file's SHA-256.
 *
 * <p>Pipelined: up to the receiver's announced number of files are in flight, so the receiver hashes later bases
 * while earlier deltas are sent. Memory is bounded: at most {@link #OUTBOUND_BUDGET} bytes of frames wait for the
 * link, and basis lists are kept only for files in flight. {@link #run} blocks the calling thread; never call it
 * on an event loop. {@link #cancel} stops it from another thread, telling the receiver why.
 */
public final class MirrorSender {
    /** Bytes of frames that may wait for the link before the sender stops reading files. */
    public static final int OUTBOUND_BUDGET = 8 << 20;
    /** Largest DELTA payload the sender builds (further capped by the peer's frame limit). */
    public static final int MAX_DELTA_PAYLOAD = 1 << 20;

    private static final int READ_BLOCK = 1 << 20;
    /** Entries per ENTRY message (and the bytes after which a message is sent anyway). */
    private static final int ENTRY_BATCH = 256;
    private static final int ENTRY_BATCH_BYTES = 64 * 1024;
    private static final int MAX_PROBLEMS_KEPT = 100;

    private final Path journal;
    /** The run in progress, or null. */
    private final AtomicReference<Session> running = new AtomicReference<>();
    /** Why this sender was cancelled, or null. */
    private volatile String cancelled;

    /** A sender that reads every regular file's xattrs. */
    public MirrorSender() {
        this(null);
    }

    /**
     * A sender that keeps an {@link XattrJournal} of the source at {@code journal} (null for none): a file whose
     * inode and ctime are unchanged since the last completed run is not opened to list its xattrs.
     */
    public MirrorSender(Path journal) {
        this.journal = journal;
    }

    /** Runs one mirror of {@code request} over {@code link}; closes the link when done or failed. */
    public MirrorResult run(Link link, MirrorRequest request) throws IOException {
        Session s = new Session(link, journal);
        running.set(s);
        try {
            String why = cancelled;
            if (why != null) {
                s.cancel(why);
            }
            MirrorResult r = s.run(request);
            link.close(CloseReason.normal());
            return r;
        } catch (IOException | RuntimeException e) {
            s.giveUp(e);
            throw e;
        } finally {
            running.compareAndSet(s, null);
            s.dispose();
        }
    }

    /**
     * Cancels this sender's run from another thread: unless the receiver has already answered END with DONE (the
     * run then completes as usual), the receiver gets ERROR with {@code reason}, the link closes after it, and
     * {@link #run} fails with {@code reason}. A run started after this fails the same way at once. Any number of
     * calls send at most one ERROR per run.
     */
    public void cancel(String reason) {
        cancelled = Objects.requireNonNull(reason, "reason");
        Session s = running.get();
        if (s != null) {
            s.cancel(reason);
        }
    }

    /** The receiver's answer to a regular ENTRY: its chunk list, or null when it kept its copy. */
    private record BasisAnswer(int[] lengths, byte[] hashes) {
    }

    /** A regular file announced to the receiver whose content is not sent yet. */
    private static final class Pending {
        final int id;
        final Path file;
        final long size;
        final CompletableFuture<BasisAnswer> answer = new CompletableFuture<>();
        int[] lengths = new int[0];
        byte[] hashes = new byte[0];
        int n;

        Pending(int id, Path file, long size) {
            this.id = id;
            this.file = file;
            this.size = size;
        }
    }

    private static final class Session {
        private final Link link;
        private final Sinks.Many<Frame> out = Sinks.many().unicast().onBackpressureBuffer();
        private final Semaphore budget = new Semaphore(OUTBOUND_BUDGET);
        private final AtomicReference<IOException> failure = new AtomicReference<>();
        /** Whether this side sent its ERROR (at most one per run: only the one that sets {@link #failure} sends). */
        private volatile boolean told;
        private final CompletableFuture<MirrorCodec.Opened> opened = new CompletableFuture<>();
        private final CompletableFuture<MirrorTargetStats> done = new CompletableFuture<>();
        private final Map<Integer, Pending> files = new ConcurrentHashMap<>();
        private final AtomicLong bytesSent = new AtomicLong();
        private final AtomicLong bytesReceived = new AtomicLong();
        private final AtomicLong written = new AtomicLong();
        private final AtomicLong kept = new AtomicLong();
        private final AtomicLong dropped = new AtomicLong();
        private final List<String> problems = new ArrayList<>();
        private final int maxDelta;
        private final MirrorCodec.EntryWriter batch = new MirrorCodec.EntryWriter();
        private Semaphore inFlight;
        private int maxInFlight;
        private ChunkHash chunkHash;
        private long problemCount;
        private long literal;
        private long copied;
        private final Disposable sending;
        private final Disposable receiving;

        private final Path journalFile;
        private XattrJournal.Pass journal = XattrJournal.pass(null);
        private final MetadataReader xattrReader = new MetadataReader();

        Session(Link link, Path journalFile) {
            this.link = link;
            this.journalFile = journalFile;
            this.maxDelta = Math.min(MAX_DELTA_PAYLOAD, link.maxFrameLength());
            sending = link.send(out.asFlux().doOnNext(f -> budget.release(permits(f.length())))
                            .doOnDiscard(Frame.class, Frame::releaseQuietly))
                    .subscribe(null, e -> {
                        if (!(e instanceof LinkClosedException)) {
                            fail(new IOException("sending to mirror receiver " + link.peer().name() + " failed: "
                                    + e.getMessage(), e));
                        }
                    });
            receiving = link.receive().subscribe(this::onFrame,
                    e -> fail(new IOException("the link to mirror receiver " + link.peer().name() + " failed: "
                            + e.getMessage(), e)),
                    () -> fail(new IOException("mirror receiver " + link.peer().name() + " ended the run")));
        }

        MirrorResult run(MirrorRequest request) throws IOException {
            emit(MirrorMessage.OPEN, MirrorCodec.open(request.open()));
            MirrorCodec.Opened o = await(opened);
            maxInFlight = Math.min(o.maxFilesInFlight(), MirrorReceiver.MAX_FILES_IN_FLIGHT);
            chunkHash = new ChunkHash(o.hashKey());
            inFlight = new Semaphore(maxInFlight);
            Deque<Pending> window = new ArrayDeque<>();
            long entries = 0;
            int nextId = 0;
            RelativePaths names = new RelativePaths(request.roots());
            journal = XattrJournal.pass(journalFile);
            try (Walker walker = new Walker(request.roots(), request.rules(), true)) {
                while (walker.hasNext()) {
                    checkFailed();
                    ScanEntry e = walker.next();
                    byte[] rel = names.relative(e);
                    if (rel == null) {
                        continue;
                    }
                    if (e.problem() != null) {
                        problem(e.problem().toString());
                        continue;
                    }
                    FileMeta meta;
                    try {
                        meta = request.sent(withXattrs(rel, e));
                    } catch (IOException unreadable) {
                        problem(RawPath.escape(e.file()) + ": cannot read its xattrs: " + unreadable.getMessage());
                        continue;
                    } catch (IllegalArgumentException bad) {
                        problem(RawPath.escape(e.file()) + ": " + bad.getMessage());
                        continue;
                    }
                    byte[] linkTo = e.hardlinkTo() == null ? null : names.relative(e.hardlinkTo());
                    if (linkTo != null) {
                        // the receiver links only to files already committed: finish everything in flight first
                        while (!window.isEmpty()) {
                            sendContent(window.removeFirst());
                        }
                        flushEntries();
                        acquire(inFlight, maxInFlight);
                        inFlight.release(maxInFlight);
                    }
                    boolean content = linkTo == null && meta.kind() == FileKind.REGULAR;
                    int id = 0;
                    if (content) {
                        while (!inFlight.tryAcquire()) {
                            if (window.isEmpty()) {
                                flushEntries();
                                acquire(inFlight, 1);
                                break;
                            }
                            sendContent(window.removeFirst());
                        }
                        id = ++nextId;
                        Pending p = new Pending(id, e.file(), meta.size());
                        files.put(id, p);
                        window.addLast(p);
                    }
                    batch.add(new MirrorCodec.Entry(id, rel, meta, linkTo));
                    entries++;
                    if (batch.count() >= ENTRY_BATCH || batch.size() >= ENTRY_BATCH_BYTES) {
                        flushEntries();
                    }
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            while (!window.isEmpty()) {
                sendContent(window.removeFirst());
            }
            flushEntries();
            emit(MirrorMessage.END, MirrorCodec.end(entries));
            MirrorTargetStats stats = await(done);
            journal.commit();
            return new MirrorResult(entries, written.get(), kept.get(), dropped.get(), literal, copied,
                    bytesSent.get(), bytesReceived.get(), problems, problemCount, stats);
        }

        /**
         * The scanned metadata of a regular file with its xattrs (the walker defers them): from the journal when
         * the inode and its ctime are unchanged, else read from the file; recorded for the next run either way.
         */
        private FileMeta withXattrs(byte[] rel, ScanEntry e) throws IOException {
            FileMeta m = e.meta();
            if (m.kind() != FileKind.REGULAR) {
                return m;
            }
            List<Xattr> xattrs = journal.find(rel, m.dev(), m.ino(), m.ctimeNanos());
            if (xattrs == null) {
                xattrs = xattrReader.xattrs(e.file(), m);
            }
            journal.add(rel, m.dev(), m.ino(), m.ctimeNanos(), xattrs);
            return xattrs.isEmpty() ? m : m.withXattrs(xattrs);
        }

        private void problem(String message) {
            problemCount++;
            if (problems.size() < MAX_PROBLEMS_KEPT) {
                problems.add(message);
            }
        }

        /** Sends the entries collected so far (before anything that waits for the receiver). */
        private void flushEntries() throws IOException {
            if (batch.count() > 0) {
                emit(MirrorMessage.ENTRY, batch.take());
            }
        }

        /** Waits for the receiver's answer about {@code p} and sends its content unless the receiver kept it. */
        private void sendContent(Pending p) throws IOException {
            if (!p.answer.isDone()) {
                // about to wait: the receiver must have every entry so far (it may not have seen p's yet)
                flushEntries();
            }
            BasisAnswer basis = await(p.answer);
            if (basis == null) {
                return;
            }
            // sized to the file: a small file must not cost a zeroed 1 MiB buffer
            ContentDigest whole = new ContentDigest(chunkHash);
            MirrorCodec.DeltaWriter delta = new MirrorCodec.DeltaWriter(p.id,
                    (int) Math.min(maxDelta, Math.max(64, p.size + 64)), whole);
            List<byte[]> ready = new ArrayList<>();
            long length = 0;
            SeekableByteChannel ch;
            try {
                ch = Files.newByteChannel(p.file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException unreadable) {
                problem(RawPath.escape(p.file) + ": cannot be read: " + unreadable.getMessage());
                emit(MirrorMessage.FILE_END, MirrorCodec.fileEnd(new MirrorCodec.FileEnd(p.id, false, 0, null)));
                return;
            }
            try (ch) {
                if (basis.lengths().length == 0 && p.size < MirrorChunking.CHUNKED_MIN) {
                    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(READ_BLOCK, Math.max(4096, p.size + 1)));
                    int n;
                    while ((n = ch.read(buf.clear())) >= 0) {
                        if (n == 0) {
                            continue;
                        }
                        delta.data(buf.array(), 0, n, ready);
                        literal += n;
                        length += n;
                        flush(ready);
                    }
                } else {
                    length = sendDelta(ch, p, basis, whole, delta, ready);
                }
            }
            delta.finish(ready);
            flush(ready);
            emit(MirrorMessage.FILE_END, MirrorCodec.fileEnd(new MirrorCodec.FileEnd(p.id, true, length,
                    whole.finish())));
        }

        private void flush(List<byte[]> ready) throws IOException {
            for (byte[] payload : ready) {
                emit(MirrorMessage.DELTA, payload);
            }
            ready.clear();
        }

        /**
         * Sends a file against the receiver's chunk list: COPY for chunks it has, DATA (one operation per chunk) for the
         * rest; returns the bytes read. An empty list (no basis) still sends chunk by chunk, so the receiver can keep
         * the chunk list of a large file ({@link MirrorChunking#CHUNKED_MIN}). After a chunk that matched basis chunk
         * {@code i} (and at the start, {@code i = -1}), the next bytes are first compared with basis chunk {@code i + 1} by hashing exactly its length: content-defined cuts depend only
         * on the bytes since the previous cut, so unchanged content continues with the next basis chunk, and the gear
         * chunker runs only after a mismatch, until one of its chunks is found in the list again.
         */
        private long sendDelta(SeekableByteChannel ch, Pending p, BasisAnswer basis, ContentDigest whole,
                MirrorCodec.DeltaWriter delta, List<byte[]> ready) throws IOException {
            int[] lengths = basis.lengths();
            byte[] hashes = basis.hashes();
            long[] starts = new long[lengths.length + 1];
            for (int i = 0; i < lengths.length; i++) {
                starts[i + 1] = starts[i] + lengths[i];
            }
            Map<HashKey, Integer> have = index(basis);
            Chunker chunker = MirrorChunking.chunker();
            int max = MirrorChunking.PARAMS.max();
            byte[] h = new byte[MirrorCodec.HASH];
            ChunkWindow window = new ChunkWindow(ch, MirrorChunking.PARAMS.max(), MirrorChunking.READ_AHEAD, p.size,
                    RawPath.escape(p.file));
            int next = 0;
            long length = 0;
            int available;
            while ((available = window.available(max)) > 0) {
                byte[] buf = window.array();
                int at = window.start();
                int n;
                int match = -1;
                // whether h is the chunk hash of exactly the n bytes at `at` (then the digest need not hash them)
                boolean hashed = false;
                if (next >= 0 && next < lengths.length && lengths[next] <= available) {
                    n = lengths[next];
                    chunkHash.hash(buf, at, n, h, 0);
                    if (Arrays.equals(h, 0, MirrorCodec.HASH, hashes, next * MirrorCodec.HASH,
                            (next + 1) * MirrorCodec.HASH)) {
                        match = next;
                    }
                }
                if (match < 0) {
                    n = chunker.cut(buf, at, Math.min(available, max));
                    if (!have.isEmpty()) {
                        chunkHash.hash(buf, at, n, h, 0);
                        hashed = true;
                        Integer found = have.get(new HashKey(h, n));
                        match = found == null ? -1 : found;
                    }
                } else {
                    n = lengths[match];
                }
                if (match >= 0) {
                    whole.chunk(h, 0, n);
                    delta.copy(starts[match], n, ready);
                    copied += n;
                    next = match + 1;
                } else {
                    delta.data(buf, at, n, hashed ? h : null, ready);
                    literal += n;
                    next = -1;
                }
                length += n;
                window.advance(n);
                flush(ready);
            }
            return length;
        }

        /** Basis chunk index by hash and length (the first of equal chunks). */
        private static Map<HashKey, Integer> index(BasisAnswer b) {
            Map<HashKey, Integer> have = new HashMap<>(b.lengths().length * 2);
            for (int i = 0; i < b.lengths().length; i++) {
                byte[] h = Arrays.copyOfRange(b.hashes(), i * MirrorCodec.HASH, (i + 1) * MirrorCodec.HASH);
                have.putIfAbsent(new HashKey(h, b.lengths()[i]), i);
            }
            return have;
        }

        // ---- answers ----------------------------------------------------------------------------------

        private void onFrame(Frame f) {
            byte[] payload;
            try {
                payload = new byte[f.payload().readableBytes()];
                f.payload().readBytes(payload);
                bytesReceived.addAndGet(payload.length + 6L);
            } finally {
                f.release();
            }
            try {
                MirrorMessage type = MirrorMessage.fromWire(f.type());
                if (type == null) {
                    throw new ProtocolException(ErrorCode.UNKNOWN_MESSAGE, "the receiver sent frame type "
                            + f.type() + ", which is not a mirror message");
                }
                switch (type) {
                    case OPENED -> opened.complete(MirrorCodec.decodeOpened(payload));
                    case BASIS -> basis(MirrorCodec.decodeBasis(payload));
                    case FILE_DONE -> fileDone(MirrorCodec.decodeFileDone(payload));
                    case DONE -> done.complete(MirrorCodec.decodeDone(payload));
                    case ERROR -> {
                        ErrorCodec.Error e = ErrorCodec.decode(payload);
                        fail(new ProtocolException(e.code(), "mirror receiver " + link.peer().name() + " ended the run"
                                + " (" + e.code() + "): " + e.message()));
                        link.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR, e.message()));
                    }
                    default -> throw new ProtocolException(ErrorCode.UNKNOWN_MESSAGE, "the receiver sent " + type
                            + ", which only a sender sends");
                }
            } catch (IOException e) {
                fail(e);
                link.close(CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, e.getMessage()));
            }
        }

        private Pending pending(int id, String what) throws ProtocolException {
            Pending p = files.get(id);
            if (p == null) {
                throw new ProtocolException(ErrorCode.MALFORMED, "the receiver sent " + what + " for file id "
                        + Integer.toUnsignedString(id) + ", which is not in flight");
            }
            return p;
        }

        private void basis(MirrorCodec.BasisPart part) throws ProtocolException {
            Pending p = pending(part.fileId(), "BASIS");
            int add = part.lengths().length;
            long limit = p.size / MirrorChunking.PARAMS.min() + 2 + MirrorChunking.PARAMS.max();
            if (p.answer.isDone() || p.n + (long) add > limit) {
                throw new ProtocolException(ErrorCode.MALFORMED, "the receiver's chunk list for "
                        + RawPath.escape(p.file) + " is longer than any basis it could use");
            }
            p.lengths = Arrays.copyOf(p.lengths, p.n + add);
            System.arraycopy(part.lengths(), 0, p.lengths, p.n, add);
            p.hashes = Arrays.copyOf(p.hashes, (p.n + add) * MirrorCodec.HASH);
            System.arraycopy(part.hashes(), 0, p.hashes, p.n * MirrorCodec.HASH, add * MirrorCodec.HASH);
            p.n += add;
            if (part.last()) {
                p.answer.complete(new BasisAnswer(p.lengths, p.hashes));
                p.lengths = null;
                p.hashes = null;
            }
        }

        private void fileDone(int[] idStatus) throws ProtocolException {
            for (int i = 0; i < idStatus.length; i += 2) {
                Pending p = pending(idStatus[i], "FILE_DONE");
                files.remove(idStatus[i]);
                switch (idStatus[i + 1]) {
                    case MirrorCodec.KEPT -> kept.incrementAndGet();
                    case MirrorCodec.WRITTEN -> written.incrementAndGet();
                    default -> dropped.incrementAndGet();
                }
                p.answer.complete(null);
                inFlight.release();
            }
        }

        // ---- plumbing ---------------------------------------------------------------------------------

        private static int permits(int length) {
            return Math.min(length + 6, OUTBOUND_BUDGET);
        }

        private void emit(MirrorMessage type, byte[] payload) throws IOException {
            if (payload.length > link.maxFrameLength()) {
                throw new IOException(type + " message of " + payload.length + " bytes exceeds the frame limit of "
                        + link.peer().name() + " (" + link.maxFrameLength() + " bytes)");
            }
            acquire(budget, permits(payload.length));
            Sinks.EmitResult r;
            synchronized (out) {
                r = out.tryEmitNext(new Frame(type.wire(), Unpooled.wrappedBuffer(payload)));
            }
            if (r.isFailure()) {
                checkFailed();
                throw new IOException("cannot send " + type + " to mirror receiver " + link.peer().name()
                        + ": the run is over (" + r + ")");
            }
            bytesSent.addAndGet(payload.length + 6L);
        }

        private <T> T await(CompletableFuture<T> f) throws IOException {
            while (true) {
                checkFailed();
                try {
                    return f.get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // look at the failure again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for mirror receiver "
                            + link.peer().name());
                } catch (ExecutionException e) {
                    throw new IOException(e.getCause().getMessage(), e.getCause());
                }
            }
        }

        private void acquire(Semaphore s, int permits) throws IOException {
            while (true) {
                checkFailed();
                try {
                    if (s.tryAcquire(permits, 100, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for mirror receiver "
                            + link.peer().name());
                }
            }
        }

        private void checkFailed() throws IOException {
            IOException f = failure.get();
            if (f != null) {
                if (f instanceof ProtocolException pe) {
                    throw new ProtocolException(pe.code(), pe.getMessage());
                }
                throw new IOException(f.getMessage(), f);
            }
        }

        private void fail(IOException e) {
            failure.compareAndSet(null, e);
        }

        /**
         * Tells the receiver why this side stops (unless the receiver ended the run, or a cancel already told it),
         * gives the receiver up to {@link MirrorReceiver#CLOSE_GRACE} to read that ERROR (it answers with its own
         * ERROR, on which this side closes the link), and closes the link.
         */
        void giveUp(Exception e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            if (failure.compareAndSet(null, e instanceof IOException io ? io : new IOException(m, e))
                    && !link.isClosed()) {
                tell(ErrorCode.STORAGE, "the sender failed: " + m);
            }
            if (told) {
                try {
                    link.onClose().toFuture().get(MirrorReceiver.CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException notRead) {
                    // the receiver did not answer in time: the close below still carries the reason
                }
            }
            if (!link.isClosed()) {
                link.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR, m));
            }
        }

        /**
         * Cancels the run unless it has completed (DONE came) or failed already: sends ERROR with {@code reason}
         * instead of the frames still queued; the run's thread then fails with {@code reason} and closes the link.
         */
        void cancel(String reason) {
            IOException cancelled = new MirrorCancelledException(reason);
            // DONE and a cancel both complete `done`: whichever comes first decides whether the run completed
            if (failure.get() != null || !done.completeExceptionally(cancelled)) {
                return;
            }
            if (failure.compareAndSet(null, cancelled) && !link.isClosed()) {
                tell(ErrorCode.CANCELLED, reason);
            }
        }

        /**
         * Sends the run's one ERROR (the caller set {@link #failure}) instead of the frames still queued: the main
         * send is cancelled first, since it may hold every free place of the link while nothing more comes.
         */
        private void tell(ErrorCode code, String message) {
            told = true;
            sending.dispose();
            Frame error = new Frame(MirrorMessage.ERROR.wire(),
                    Unpooled.wrappedBuffer(ErrorCodec.encode(0, code, message)));
            link.send(Mono.just(error).doOnDiscard(Frame.class, Frame::releaseQuietly)).subscribe(null, notSent -> {
                // the link ended first; its close reason is all the receiver gets
            });
        }

        void dispose() {
            journal.close();
            out.tryEmitComplete();
            receiving.dispose();
            sending.dispose();
        }
    }

    /** A chunk hash and length as a map key. */
    private record HashKey(byte[] hash, int length) {
        @Override
        public boolean equals(Object o) {
            return o instanceof HashKey k && length == k.length && Arrays.equals(hash, k.hash);
        }

        @Override
        public int hashCode() {
            return (hash[0] & 0xff) << 24 | (hash[1] & 0xff) << 16 | (hash[2] & 0xff) << 8 | (hash[3] & 0xff);
        }
    }
}
