package dev.sluice.engine.mirror;

import dev.sluice.engine.chunk.ChunkWindow;
import dev.sluice.engine.chunk.Chunker;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.mirror.dest.FileStamp;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.mirror.dest.MirrorRefusedException;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.engine.mirror.dest.MirrorTargetStats;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import dev.sluice.transport.PeerIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The receiving side of a mirror run: serves one authenticated sender over a {@link Link}, writing only through a
 * {@link MirrorTarget} it opens for a target the {@link MirrorPolicy} allows that peer. The sender is untrusted:
 * every count and length is checked before use, the target refuses paths outside it, and any broken rule ends the
 * run with an ERROR and a closed link, leaving previous snapshots untouched.
 */
public final class MirrorReceiver {
    private static final System.Logger LOG = System.getLogger(MirrorReceiver.class.getName());
    /** How long the receiver waits, after a fatal ERROR, for the sender to close before it closes the link. */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
    /** Files whose content may be in flight at once (announced in OPENED; more is refused). */
    public static final int MAX_FILES_IN_FLIGHT = 512;

    /** Read when a run opens, so a reload's new policy applies to the runs that open after it. */
    /**
     * Target directories with a run in progress in this JVM (by real path, or absolute path before the first run made
     * the directory), each with who holds it: one run per target at a time, whichever receiver serves it.
     */
    private static final ConcurrentHashMap<java.nio.file.Path, String> BUSY = new ConcurrentHashMap<>();

    private volatile MirrorPolicy policy;
    private final TargetFactory factory;
    private final MirrorLimits limits;
    private final Scheduler io;
    private final Optional<java.nio.file.Path> cacheRoot;

    /** Bytes of chunk lists of files being received that a run may hold for {@link BasisCache} at once. */
    static final long RECORD_BUDGET = 64L << 20;
    /** Files whose basis has at least this many bytes have their copies from it made beside the frame thread. */
    static final long COPY_BESIDE_MIN = MirrorChunking.CHUNKED_MIN;
    /** Frames taken ahead from the link (twice: into the merge with the wake-ups, and to the frame thread). */
    private static final int FRAMES_MERGED = 8;

    /**
     * A receiver without a basis cache.
     *
     * @param io where target I/O runs (never the link's event loop); frames are handled one at a time in order
     */
    public MirrorReceiver(MirrorPolicy policy, TargetFactory factory, MirrorLimits limits, Scheduler io) {
        this(policy, factory, limits, io, Optional.empty());
    }

    /**
     * @param io where target I/O runs (never the link's event loop); frames are handled one at a time in order
     * @param cacheRoot the root of sluice's caches ({@code fs.CacheRoot.of}): the chunk lists of large files this
     *     receiver writes are kept under {@code cacheRoot/mirror/basis} ({@link BasisCache}); empty for none
     */
    public MirrorReceiver(MirrorPolicy policy, TargetFactory factory, MirrorLimits limits, Scheduler io,
            Optional<java.nio.file.Path> cacheRoot) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.io = Objects.requireNonNull(io, "io");
        this.cacheRoot = Objects.requireNonNull(cacheRoot, "cacheRoot");
    }

    /** Which targets each identity may mirror into, for the runs that open from now on (a daemon's reload). */
    public void setPolicy(MirrorPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** True when a link's first frame starts a mirror run (so a daemon listener hands the link to this receiver). */
    public static boolean isMirrorOpen(Frame first) {
        return first.type() == MirrorMessage.OPEN.wire();
    }

    /**
     * Serves one run until the sender ends it or breaks a rule; completes with the reason this side ended it, or
     * else the reason the link ended. An unfinished run is aborted (the target keeps its previous state).
     */
    public Mono<CloseReason> serve(Link link) {
        return Mono.usingWhen(
                Mono.fromCallable(() -> new Session(link)),
                s -> link.send(Flux.merge(Flux.merge(FRAMES_MERGED,
                                                link.receive().map(Received::of).doFinally(signal -> s.endWakeUps()),
                                                s.wakeUps.asFlux().map(w -> Received.WAKE))
                                        .publishOn(io, FRAMES_MERGED).concatMap(s::handle)
                                        .takeUntil(f -> s.ending != null)
                                        .doFinally(signal -> s.endSide())
                                        .doOnDiscard(Received.class, Received::release),
                                s.side.asFlux()))
                        .onErrorResume(LinkClosedException.class, e -> Mono.empty())
                        .then(Mono.defer(() -> {
                            if (s.ending == null) {
                                return link.onClose();
                            }
                            return link.onClose().timeout(CLOSE_GRACE, Mono.fromRunnable(() -> link.close(s.ending)), io)
                                    .thenReturn(s.ending);
                        })),
                s -> Mono.fromRunnable(s::close).subscribeOn(io),
                (s, e) -> Mono.fromRunnable(s::close).subscribeOn(io),
                s -> Mono.fromRunnable(s::close).subscribeOn(io));
    }

    /**
     * A received frame: a DELTA keeps its buffer (its DATA is written from there, with no copy; {@link #release}
     * after handling or on discard), any other message is copied out of its buffer, which is released at once.
     */
    private static final class Received {
        /**
         * Not a frame: the frame thread has caught up with the frames that had arrived; files whose copies were made
         * beside may be ready to be committed ({@link CopiesBeside}), held FILE_DONEs are sent.
         */
        static final Received WAKE = new Received(-1, null, null);
        final int type;
        final byte[] payload;
        private ByteBuf delta;

        private Received(int type, byte[] payload, ByteBuf delta) {
            this.type = type;
            this.payload = payload;
            this.delta = delta;
        }

        static Received of(Frame f) {
            if (f.type() == MirrorMessage.DELTA.wire()) {
                return new Received(f.type(), null, f.payload());
            }
            try {
                byte[] bytes = new byte[f.payload().readableBytes()];
                f.payload().readBytes(bytes);
                return new Received(f.type(), bytes, null);
            } finally {
                f.release();
            }
        }

        /** The DELTA's payload as a view of the received buffer; valid until {@link #release}. */
        ByteBuffer deltaView() {
            return delta.nioBuffer(delta.readerIndex(), delta.readableBytes());
        }

        synchronized void release() {
            if (delta != null) {
                ByteBuf d = delta;
                delta = null;
                d.release();
            }
        }
    }

    private record Out(MirrorMessage type, byte[] bytes) {
    }

    /** One run: the target, the files whose content is arriving, counters. */
    private final class Session {
        private final Link link;
        private final PeerIdentity peer;
        private final Map<Integer, Incoming> open = new LinkedHashMap<>();
        private final Set<String> inFlightPaths = new HashSet<>();
        /** {@link Received#WAKE}s, merged into the frames (only ever one value, TRUE). */
        final Sinks.Many<Boolean> wakeUps = Sinks.many().unicast().onBackpressureBuffer();
        private boolean wakeUpsEnded;
        /** Copies from large bases, made beside the frame thread; the files come back to it to be committed. */
        final CopiesBeside<Incoming> beside = new CopiesBeside<>(io, this::wakeUp);
        /**
         * FILE_DONE items of written or dropped files not sent yet: they go with the next answer, or at the latest at
         * the wake-up asked for when the first of them was held (after the frames already taken from the link), so a
         * sender of many small files gets one message per burst instead of one per file.
         */
        private final List<byte[]> held = new ArrayList<>();
        /** Files whose FILE_END has arrived while copies from their basis are still being made beside. */
        private final Set<Incoming> committing = new HashSet<>();
        /** END's entry count when it arrived while files were {@link #committing}; -1 before END. */
        private long endLater = -1;
        /** BASIS answers computed off the frame thread (at most one per file in flight). */
        final Sinks.Many<Frame> side = Sinks.many().unicast().onBackpressureBuffer();
        private final MirrorCodec.EntryReader entryReader = new MirrorCodec.EntryReader(limits.maxPathBytes());
        private MirrorTarget target;
        /** This run's chunk hash, keyed with the target's key (sent in OPENED). */
        private ChunkHash chunkHash;
        private BasisCache cache = BasisCache.none();
        /** Bytes of chunk lists that files being received hold for the cache (at most {@link #RECORD_BUDGET}). */
        private long recording;
        /** One received chunk, copied to be hashed for the cache (frame thread only). */
        private final byte[] chunkBytes = new byte[MirrorChunking.PARAMS.max()];
        private String targetName;
        private long entries;
        private int lastFileId;
        private boolean finished;
        private boolean closed;
        /** The target directory this run holds in {@link #BUSY}, and the holder's description; null before OPEN. */
        private java.nio.file.Path heldTarget;
        private String heldBy;
        /** The target's lock across processes ({@link TargetLock}); null before OPEN or without a cache root. */
        private TargetLock heldLock;
        volatile CloseReason ending;

        Session(Link link) {
            this.link = link;
            this.peer = link.peer();
        }

        Flux<Frame> handle(Received frame) {
            try {
                if (ending != null) {
                    return Flux.empty();
                }
                return Flux.fromIterable(withHeld(answer(frame), frame == Received.WAKE))
                        .map(o -> new Frame(o.type.wire(), Unpooled.wrappedBuffer(o.bytes)));
            } catch (ProtocolException e) {
                return refuse(e.code(), e.getMessage());
            } catch (MirrorRefusedException e) {
                return refuse(ErrorCode.REFUSED, "the receiver refused: " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                return refuse(ErrorCode.STORAGE, "the receiver's target failed: " + e);
            } finally {
                frame.release();
            }
        }

        /** Sends the held FILE_DONEs first when there is an answer anyway or at a wake-up, else asks for one. */
        private List<Out> withHeld(List<Out> outs, boolean wake) {
            if (held.isEmpty()) {
                return outs;
            }
            if (outs.isEmpty() && !wake) {
                if (held.size() == 1) {
                    wakeUp();
                }
                return outs;
            }
            List<Out> all = new ArrayList<>(outs.size() + 1);
            all.add(new Out(MirrorMessage.FILE_DONE, MirrorCodec.joinFileDone(held)));
            held.clear();
            all.addAll(outs);
            return joinFileDone(all);
        }

        private void wakeUp() {
            synchronized (wakeUps) {
                if (!wakeUpsEnded) {
                    wakeUps.tryEmitNext(Boolean.TRUE);
                }
            }
        }

        /** The frames ended: nothing handles a wake-up any more. */
        void endWakeUps() {
            synchronized (wakeUps) {
                if (!wakeUpsEnded) {
                    wakeUpsEnded = true;
                    wakeUps.tryEmitComplete();
                }
            }
        }

        private Flux<Frame> refuse(ErrorCode code, String message) {
            abortRun();
            ending = CloseReason.of(code == ErrorCode.STORAGE || code == ErrorCode.CANCELLED
                    ? CloseReason.Code.APPLICATION_ERROR : CloseReason.Code.PROTOCOL_ERROR, message);
            return Flux.fromIterable(List.of(new Frame(MirrorMessage.ERROR.wire(),
                    Unpooled.wrappedBuffer(ErrorCodec.encode(0, code, message)))));
        }

        private List<Out> answer(Received frame) throws IOException {
            if (frame == Received.WAKE) {
                return copied();
            }
            int wireType = frame.type;
            byte[] payload = frame.payload;
            MirrorMessage type = MirrorMessage.fromWire(wireType);
            if (type == null) {
                throw new ProtocolException(ErrorCode.UNKNOWN_MESSAGE, "frame type " + wireType
                        + " is not a mirror message this receiver serves");
            }
            if (type == MirrorMessage.OPEN) {
                if (target != null) {
                    throw new ProtocolException(ErrorCode.NOT_OPEN, "this run is already open for target "
                            + targetName);
                }
                return List.of(open(MirrorCodec.decodeOpen(payload)));
            }
            if (target == null) {
                throw new ProtocolException(ErrorCode.NOT_OPEN, type + " before OPEN: a run must first name its"
                        + " target");
            }
            if (finished || endLater >= 0) {
                throw new ProtocolException(ErrorCode.NOT_OPEN, type + " after END");
            }
            return switch (type) {
                case ENTRY -> {
                    List<Out> out = new ArrayList<>();
                    for (MirrorCodec.Entry e : entryReader.decode(payload)) {
                        out.addAll(entry(e));
                    }
                    yield joinFileDone(out);
                }
                case DELTA -> {
                    MirrorCodec.decodeDelta(frame.deltaView(), this::incoming);
                    yield List.of();
                }
                case FILE_END -> fileEnd(MirrorCodec.decodeFileEnd(payload));
                case END -> end(MirrorCodec.decodeEnd(payload));
                case ERROR -> {
                    ErrorCodec.Error e = ErrorCodec.decode(payload);
                    throw new ProtocolException(e.code(), (e.code() == ErrorCode.CANCELLED
                            ? "the sender cancelled the run: " : "the sender gave up: ") + e.message());
                }
                default -> throw new ProtocolException(ErrorCode.UNKNOWN_MESSAGE, type + " (frame type " + wireType
                        + ") is an answer, not a message a sender may send");
            };
        }

        /** The answers with each run of consecutive FILE_DONEs sent as one message (one frame per kept file was
         * most of a no-change run's messages). */
        private List<Out> joinFileDone(List<Out> outs) {
            if (outs.size() < 2) {
                return outs;
            }
            List<Out> joined = new ArrayList<>();
            List<byte[]> run = new ArrayList<>();
            for (Out o : outs) {
                if (o.type == MirrorMessage.FILE_DONE) {
                    run.add(o.bytes);
                    continue;
                }
                flushDone(run, joined);
                joined.add(o);
            }
            flushDone(run, joined);
            return joined;
        }

        private void flushDone(List<byte[]> run, List<Out> joined) {
            if (!run.isEmpty()) {
                joined.add(new Out(MirrorMessage.FILE_DONE, MirrorCodec.joinFileDone(run)));
                run.clear();
            }
        }

        private Out open(MirrorCodec.Open o) throws IOException {
            java.nio.file.Path dir = policy.resolve(peer, o.target());
            ScanRules protect;
            try {
                protect = ScanRules.ofBytes(List.of(), o.protect(), false, false);
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(ErrorCode.MALFORMED, "malformed mirror OPEN message: " + e.getMessage());
            }
            MirrorOptions options = new MirrorOptions(o.layout(), o.delete(), protect, o.deleteExcluded(),
                    o.fakeSuper(), o.keepSnapshots(), limits);
            targetName = o.target();
            hold(dir);
            target = factory.open(dir, options);
            cache = BasisCache.open(cacheRoot, dir);
            byte[] key = cache.key();
            chunkHash = new ChunkHash(key);
            return new Out(MirrorMessage.OPENED, MirrorCodec.opened(new MirrorCodec.Opened(MAX_FILES_IN_FLIGHT, key)));
        }

        private List<Out> entry(MirrorCodec.Entry e) throws IOException {
            if (++entries > limits.maxEntries()) {
                throw new MirrorRefusedException("more than " + limits.maxEntries() + " entries in one run");
            }
            byte[] path = e.path();
            FileMeta meta = e.meta();
            if (e.hardlinkTo() != null) {
                if (inFlightPaths.contains(RawPath.escape(e.hardlinkTo()))) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "hardlink " + RawPath.escape(path) + " to "
                            + RawPath.escape(e.hardlinkTo()) + ", whose content has not arrived yet");
                }
                target.hardlink(path, e.hardlinkTo());
                return List.of();
            }
            switch (meta.kind()) {
                case DIRECTORY -> target.directory(path, meta);
                case SYMLINK -> target.symlink(path, meta.linkTarget(), meta);
                case REGULAR -> {
                    return regular(e);
                }
                default -> target.special(path, meta);
            }
            return List.of();
        }

        private List<Out> regular(MirrorCodec.Entry e) throws IOException {
            byte[] path = e.path();
            FileMeta meta = e.meta();
            if (e.fileId() != lastFileId + 1) {
                throw new ProtocolException(ErrorCode.MALFORMED, "regular file " + RawPath.escape(path)
                        + " has file id " + Integer.toUnsignedString(e.fileId()) + "; expected " + (lastFileId + 1));
            }
            lastFileId = e.fileId();
            if (open.size() + committing.size() >= MAX_FILES_IN_FLIGHT) {
                throw new ProtocolException(ErrorCode.REFUSED, "more than " + MAX_FILES_IN_FLIGHT
                        + " files in flight (this receiver's limit, announced in OPENED)");
            }
            if (meta.size() > limits.maxFileBytes()) {
                throw new MirrorRefusedException("file " + RawPath.escape(path) + " has " + meta.size()
                        + " bytes, more than the limit of " + limits.maxFileBytes());
            }
            Optional<MirrorTarget.Basis> found = target.basis(path);
            if (found.isPresent()) {
                MirrorTarget.Basis b = found.get();
                if (b.meta().size() >= BasisCache.MIN_FILE) {
                    cache.seen(b.stamp());
                }
                if (b.meta().size() == meta.size() && b.meta().mtimeNanos() == meta.mtimeNanos()) {
                    try (b) {
                        target.keep(path, meta, b);
                    }
                    return List.of(new Out(MirrorMessage.FILE_DONE, MirrorCodec.fileDone(e.fileId(),
                            MirrorCodec.KEPT)));
                }
            }
            MirrorTarget.Basis basis = found.orElse(null);
            Incoming in;
            try {
                in = new Incoming(e.fileId(), path, target.file(path, meta), basis, meta.size());
            } catch (IOException | RuntimeException failed) {
                if (basis != null) {
                    basis.close();
                }
                throw failed;
            }
            open.put(e.fileId(), in);
            inFlightPaths.add(RawPath.escape(path));
            if (in.basis == null) {
                return basisList(e.fileId(), in);
            }
            if (in.basisSize >= BasisCache.MIN_FILE) {
                Optional<BasisCache.Entry> cached = cache.lookup(basis.stamp());
                if (cached.isPresent()) {
                    BasisCache.Entry c = cached.get();
                    return answer(e.fileId(), in, c.lengths(), c.hashes(), c.n());
                }
            }
            // Hashing a basis reads the whole file: do it beside the frame thread, which goes on writing the
            // files in flight; the answer is matched by file id. The sender sends nothing for this file before it.
            int id = e.fileId();
            Mono.fromCallable(() -> basisList(id, in)).subscribeOn(io).subscribe(this::emitSide, failed -> link.close(
                    CloseReason.of(CloseReason.Code.APPLICATION_ERROR, "reading the basis of " + RawPath.escape(path)
                            + " failed: " + failed.getMessage())));
            return List.of();
        }

        private void emitSide(List<Out> outs) {
            synchronized (side) {
                for (Out o : outs) {
                    Frame f = new Frame(o.type.wire(), Unpooled.wrappedBuffer(o.bytes));
                    if (side.tryEmitNext(f).isFailure()) {
                        f.release();
                    }
                }
            }
        }

        void endSide() {
            synchronized (side) {
                side.tryEmitComplete();
            }
        }

        /** Chunks the basis the way the sender does and answers its chunk list (empty without a basis). */
        private List<Out> basisList(int fileId, Incoming in) throws IOException {
            int[] lengths = new int[0];
            byte[] hashes = new byte[0];
            int n = 0;
            if (in.basis != null) {
                int capacity = (int) Math.min(1 << 20, in.basisSize / MirrorChunking.PARAMS.min() + 1);
                lengths = new int[Math.max(capacity, 1)];
                hashes = new byte[lengths.length * MirrorCodec.HASH];
                Chunker chunker = MirrorChunking.chunker();
                int max = MirrorChunking.PARAMS.max();
                ChunkWindow window = new ChunkWindow(new BasisChannel(in.basis), max,
                        MirrorChunking.READ_AHEAD, in.basisSize,
                        "the basis of " + RawPath.escape(in.path));
                int available;
                while ((available = window.available(max)) > 0) {
                    byte[] buf = window.array();
                    int at = window.start();
                    int length = chunker.cut(buf, at, Math.min(available, max));
                    if (n == lengths.length) {
                        lengths = Arrays.copyOf(lengths, n * 2);
                        hashes = Arrays.copyOf(hashes, n * 2 * MirrorCodec.HASH);
                    }
                    lengths[n] = length;
                    chunkHash.hash(buf, at, length, hashes, n * MirrorCodec.HASH);
                    n++;
                    window.advance(length);
                }
            }
            return answer(fileId, in, lengths, hashes, n);
        }

        /** Keeps the basis list {@code [0, n)} for checking COPY operations and answers it in BASIS parts. */
        private List<Out> answer(int fileId, Incoming in, int[] lengths, byte[] hashes, int n) {
            if (in.basis != null) {
                long[] starts = new long[n + 1];
                for (int i = 0; i < n; i++) {
                    starts[i + 1] = starts[i] + lengths[i];
                }
                in.chunkLengths = lengths;
                in.chunkHashes = hashes;
                in.chunkStarts = starts;
                in.basisSize = starts[n];
            }
            List<Out> out = new ArrayList<>();
            int per = MirrorCodec.basisItemsPerPart(Math.min(link.maxFrameLength(), 1 << 20));
            int from = 0;
            do {
                int to = Math.min(n, from + per);
                out.add(new Out(MirrorMessage.BASIS, MirrorCodec.basis(fileId, to == n, lengths, hashes, from, to)));
                from = to;
            } while (from < n);
            return out;
        }

        private Incoming incoming(int fileId) throws ProtocolException {
            Incoming in = open.get(fileId);
            if (in == null) {
                throw new ProtocolException(ErrorCode.MALFORMED, "DELTA for file id "
                        + Integer.toUnsignedString(fileId) + ", which is not being received");
            }
            return in;
        }

        private List<Out> fileEnd(MirrorCodec.FileEnd e) throws IOException {
            Incoming in = open.remove(e.fileId());
            if (in == null) {
                throw new ProtocolException(ErrorCode.MALFORMED, "FILE_END for file id "
                        + Integer.toUnsignedString(e.fileId()) + ", which is not being received");
            }
            boolean later = false;
            try {
                if (!e.complete()) {
                    inFlightPaths.remove(RawPath.escape(in.path));
                    in.writer.abort();
                    held.add(MirrorCodec.fileDone(e.fileId(), MirrorCodec.DROPPED));
                    return List.of();
                }
                if (in.writer.position() != e.length()) {
                    throw new ProtocolException(ErrorCode.REFUSED, "file " + RawPath.escape(in.path) + ": the sender"
                            + " says " + e.length() + " bytes, but its operations made " + in.writer.position());
                }
                if (!MessageDigest.isEqual(in.content.finish(), e.sha256())) {
                    throw new ProtocolException(ErrorCode.REFUSED, "file " + RawPath.escape(in.path) + ": the"
                            + " rebuilt content does not match the sender's content digest (SHA-256); nothing was"
                            + " committed");
                }
                if (in.copyBeside && in.copied) {
                    // committed (and still in flight for hardlinks) once its copies are made: see copied()
                    committing.add(in);
                    beside.whenCopied(in);
                    later = true;
                    return List.of();
                }
                commit(in);
                return List.of();
            } finally {
                if (!later) {
                    in.close();
                }
            }
        }

        /** Commits the files whose copies were made beside; after the last, the run's END if it has arrived. */
        private List<Out> copied() throws IOException {
            Incoming in;
            while ((in = beside.nextCopied()) != null) {
                if (committing.remove(in)) {
                    try (Incoming done = in) {
                        commit(done);
                    }
                }
            }
            if (endLater >= 0 && committing.isEmpty() && !finished) {
                return List.of(finishRun());
            }
            return List.of();
        }

        /** Puts a file whose content is complete and checked in place, keeps its chunk list, holds its FILE_DONE. */
        private void commit(Incoming in) throws IOException {
            inFlightPaths.remove(RawPath.escape(in.path));
            Exception failed = in.copyFailed;
            if (failed instanceof IOException e) {
                throw e;
            } else if (failed != null) {
                throw (RuntimeException) failed;
            }
            if (in.copied && !in.basis.unchanged()) {
                throw new ProtocolException(ErrorCode.REFUSED, "file " + RawPath.escape(in.path) + ": its basis"
                        + " was changed by someone else during the run; nothing was committed");
            }
            if (in.basis != null && in.basisSize >= BasisCache.MIN_FILE) {
                cache.replaced(in.basis.stamp());
            }
            if (in.recorded != null) {
                FileStamp stamp = in.writer.commitAndStamp();
                cache.store(stamp, in.recorded, in.recordedHashes, in.recordedCount);
            } else {
                in.writer.commit();
            }
            held.add(MirrorCodec.fileDone(in.fileId, MirrorCodec.WRITTEN));
        }

        private List<Out> end(long sent) throws IOException {
            if (sent != entries) {
                throw new ProtocolException(ErrorCode.MALFORMED, "END says " + sent + " entries, " + entries
                        + " arrived");
            }
            if (!open.isEmpty()) {
                throw new ProtocolException(ErrorCode.MALFORMED, "END while " + open.size() + " files are unfinished");
            }
            if (!committing.isEmpty()) {
                endLater = sent;
                return List.of();
            }
            return List.of(finishRun());
        }

        private Out finishRun() throws IOException {
            MirrorTargetStats stats = target.finish();
            finished = true;
            cache.prune();
            release(); // before DONE: the sender may start its next run as soon as it reads it
            return new Out(MirrorMessage.DONE, MirrorCodec.done(stats));
        }

        private synchronized void release() {
            if (heldLock != null) {
                try {
                    heldLock.close();
                } catch (IOException e) {
                    // the kernel lets the lock go with the process at the latest
                    LOG.log(System.Logger.Level.WARNING, "letting go of the lock of mirror target ''{0}'' failed: {1}",
                            targetName, e.getMessage());
                }
                heldLock = null;
            }
            if (heldTarget != null) {
                BUSY.remove(heldTarget, heldBy);
                heldTarget = null;
            }
        }

        private void abortRun() {
            for (Incoming in : open.values()) {
                in.close();
            }
            open.clear();
            for (Incoming in : committing) {
                in.close();
            }
            committing.clear();
            if (target != null && !finished) {
                target.abort();
            }
        }

        /**
         * Takes {@code dir} for this run; a run into it already in progress (another sender, the same job started
         * twice, or another sluice process with the same cache root) is REFUSED, before anything in the target is
         * touched. The directory itself is made first when missing, so that every process names it by the same
         * real path.
         */
        private void hold(java.nio.file.Path dir) throws ProtocolException {
            java.nio.file.Path key;
            try {
                java.nio.file.Files.createDirectories(dir);
                key = dir.toRealPath();
            } catch (IOException e) {
                key = dir.toAbsolutePath().normalize();
            }
            String me = "a run from peer '" + peer.name() + "' since " + java.time.Instant.now();
            String holder = BUSY.putIfAbsent(key, me);
            if (holder != null) {
                throw busy(holder);
            }
            heldTarget = key;
            heldBy = me;
            if (cacheRoot.isEmpty()) {
                return;
            }
            java.nio.file.Path lockFile = TargetLock.file(cacheRoot.get(), key);
            try {
                heldLock = TargetLock.take(lockFile, me + " in process " + ProcessHandle.current().pid());
            } catch (IOException e) {
                // the guard within this process still holds; another process is not seen, as without a cache root
                LOG.log(System.Logger.Level.WARNING, "cannot lock mirror target ''{0}'' through {1}: {2}", targetName,
                        lockFile, e.getMessage());
                return;
            }
            if (heldLock == null) {
                release();
                throw busy(TargetLock.holder(lockFile));
            }
        }

        private ProtocolException busy(String holder) {
            return new ProtocolException(ErrorCode.REFUSED, "target '" + targetName + "' is busy: " + holder
                    + " is still writing it; try again when that run has ended");
        }

        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                beside.close();
                abortRun();
                if (target != null) {
                    try {
                        target.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException("closing mirror target '" + targetName + "' of peer '"
                                + peer.name() + "' failed: " + e.getMessage(), e);
                    }
                }
            } finally {
                release();
            }
        }

        /** A file whose content is arriving: its writer, its basis, the running digest of what was written. */
        private final class Incoming implements MirrorCodec.DeltaSink, AutoCloseable {
            final int fileId;
            final byte[] path;
            final MirrorTarget.FileWriter writer;
            final MirrorTarget.Basis basis;
            final ContentDigest content = new ContentDigest(chunkHash);
            volatile long basisSize;
            /** The basis list (set by {@link #basisList} before BASIS is sent; read by the frame thread). */
            volatile int[] chunkLengths;
            volatile byte[] chunkHashes;
            volatile long[] chunkStarts;
            boolean copied;
            /** Whether copies from the basis are made beside the frame thread: a basis of at least COPY_BESIDE_MIN. */
            final boolean copyBeside;
            /** The first failure of a copy made beside. */
            volatile Exception copyFailed;
            /**
             * The chunk list of the file being written, for {@link BasisCache}: COPY adds the basis chunks it covers,
             * each DATA one chunk (the sender sends large files one chunk per DATA). Null when not recorded: a small
             * file, a DATA larger than a chunk, more chunks than the announced size allows, or the run's budget spent.
             */
            int[] recorded;
            byte[] recordedHashes;
            int recordedCount;
            private final long maxRecorded;
            private final byte[] scratch = new byte[MirrorCodec.HASH];

            Incoming(int fileId, byte[] path, MirrorTarget.FileWriter writer, MirrorTarget.Basis basis, long size) {
                this.fileId = fileId;
                this.path = path;
                this.writer = writer;
                this.basis = basis;
                this.basisSize = basis == null ? 0 : basis.meta().size();
                this.copyBeside = basisSize >= COPY_BESIDE_MIN;
                this.maxRecorded = size / MirrorChunking.PARAMS.min() + 64;
                if (size >= BasisCache.MIN_FILE && cache.enabled()) {
                    recorded = new int[64];
                    recordedHashes = new byte[64 * MirrorCodec.HASH];
                    recording += 64L * (4 + MirrorCodec.HASH);
                }
            }

            private void record(int length, byte[] hashes, int at) {
                if (recorded == null) {
                    return;
                }
                if (recordedCount == recorded.length) {
                    long more = (long) recorded.length * (4 + MirrorCodec.HASH);
                    if (recordedCount >= maxRecorded || recording + more > RECORD_BUDGET) {
                        stopRecording();
                        return;
                    }
                    recording += more;
                    recorded = Arrays.copyOf(recorded, recorded.length * 2);
                    recordedHashes = Arrays.copyOf(recordedHashes, recorded.length * MirrorCodec.HASH);
                }
                recorded[recordedCount] = length;
                System.arraycopy(hashes, at, recordedHashes, recordedCount * MirrorCodec.HASH, MirrorCodec.HASH);
                recordedCount++;
            }

            private void stopRecording() {
                if (recorded != null) {
                    recording -= (long) recorded.length * (4 + MirrorCodec.HASH);
                    recorded = null;
                    recordedHashes = null;
                }
            }

            @Override
            public void copy(long offset, long length) throws IOException {
                if (basis == null) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "COPY into " + RawPath.escape(path)
                            + ", which has no basis");
                }
                if (offset > basisSize || length > basisSize - offset) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "COPY of " + length + " bytes at " + offset
                            + " in " + RawPath.escape(path) + ", whose basis has " + basisSize + " bytes");
                }
                long[] starts = chunkStarts;
                int first = starts == null ? -1 : Arrays.binarySearch(starts, offset);
                int last = starts == null ? -1 : Arrays.binarySearch(starts, offset + length);
                if (first < 0 || last < 0) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "COPY of " + length + " bytes at " + offset
                            + " in " + RawPath.escape(path) + " does not start and end where chunks of its basis do");
                }
                grow(length);
                int[] lengths = chunkLengths;
                byte[] hashes = chunkHashes;
                for (int i = first; i < last; i++) {
                    content.chunk(hashes, i * MirrorCodec.HASH, lengths[i]);
                    record(lengths[i], hashes, i * MirrorCodec.HASH);
                }
                if (copyBeside) {
                    MirrorTarget.FileWriter.Copy later = writer.copyFromBasisLater(basis, offset, length);
                    beside.copy(() -> {
                        if (copyFailed == null) {
                            later.run();
                        }
                    }, failed -> {
                        if (copyFailed == null) {
                            copyFailed = failed;
                        }
                    });
                } else {
                    writer.copyFromBasis(basis, offset, length);
                }
                copied = true;
            }

            @Override
            public void data(ByteBuffer bytes) throws IOException {
                int n = bytes.remaining();
                grow(n);
                if (n <= ContentDigest.PIECE) {
                    // one hash serves the digest and, for a large file (one chunk per DATA), the basis cache; the
                    // view is read-only: the bytes are copied into the frame thread's buffer to be hashed
                    bytes.duplicate().get(chunkBytes, 0, n);
                    chunkHash.hash(chunkBytes, 0, n, scratch, 0);
                    content.data(n, scratch, 0);
                    record(n, scratch, 0);
                } else {
                    stopRecording();
                    content.data(bytes, chunkBytes);
                }
                writer.write(bytes);
            }

            private void grow(long n) throws IOException {
                if (writer.position() + n > limits.maxFileBytes()) {
                    throw new MirrorRefusedException("file " + RawPath.escape(path) + " grows beyond the limit of "
                            + limits.maxFileBytes() + " bytes");
                }
            }

            @Override
            public void close() {
                stopRecording();
                try {
                    writer.close();
                    if (basis != null) {
                        // the basis of a file just replaced holds the old inode's last reference: closing it makes
                        // the file system free the old content, which took longer than the rest of the commit;
                        // nothing reads the basis any more, so that happens beside the frame thread
                        MirrorTarget.Basis old = basis;
                        io.schedule(old::close);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("closing the receiving file " + RawPath.escape(path) + " failed: "
                            + e.getMessage(), e);
                }
            }
        }
    }

    /** A basis read sequentially, as the chunk reader wants it. */
    private static final class BasisChannel implements ReadableByteChannel {
        private final MirrorTarget.Basis basis;
        private long position;

        BasisChannel(MirrorTarget.Basis basis) {
            this.basis = basis;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = basis.read(dst, position);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
            // the basis stays open for COPY; Incoming closes it
        }
    }
}
