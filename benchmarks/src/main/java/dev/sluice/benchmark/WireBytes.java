package dev.sluice.benchmark;

import dev.sluice.engine.backup.BackupRequest;
import dev.sluice.engine.backup.BackupResult;
import dev.sluice.engine.backup.BackupRunner;
import dev.sluice.engine.backup.ErrorPolicy;
import dev.sluice.engine.chunk.ChunkerParams;
import dev.sluice.engine.compress.BlobCompressor;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.RepositoryKeys;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.daemon.TlsSinkService;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.RemoteBlobSink;
import dev.sluice.engine.tree.TreeCache;
import dev.sluice.engine.protocol.SinkPolicy;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositorySettings;
import dev.sluice.engine.retention.SnapshotRateLimit;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.engine.sink.LocalBlobSink;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.tls.CertificateAuthority;
import dev.sluice.transport.tls.TlsClient;
import dev.sluice.transport.tls.TlsClientSpec;
import dev.sluice.transport.tls.TlsEngine;
import dev.sluice.transport.tls.TlsServerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Bytes on the wire of a push over mutual TLS on loopback: a first backup of the comparison data set, the change
 * set, and a second backup, with every frame counted at the link (payload plus the 6-byte frame header, both
 * directions), against the bytes the change set really changed; and the first backup's time over TLS against the
 * same backup into a local repository. A main, not JMH: it needs sockets, files and whole runs.
 *
 * <p>Usage: {@code WireBytes DIR [--tiny | --scale F] [--repeat N]}; prints a Markdown report.
 */
public final class WireBytes {
    private static final ChunkerParams CHUNKS = new ChunkerParams(512 * 1024, 1024 * 1024, 8 * 1024 * 1024);
    private static final int FRAME_HEADER = 6;
    /** A made-up frame type under which PUTs of tree blobs are counted apart from data blobs. */
    private static final int TREE_PUT = 1005;

    private WireBytes() {}

    /** A link that counts the bytes of every frame it sends and receives. */
    static final class CountingLink implements Link {
        final Link delegate;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final AtomicLong frames = new AtomicLong();
        /** Bytes per frame type, both directions (type number → bytes). */
        final java.util.concurrent.ConcurrentSkipListMap<Integer, AtomicLong> byType =
                new java.util.concurrent.ConcurrentSkipListMap<>();

        CountingLink(Link delegate) {
            this.delegate = delegate;
        }

        @Override
        public Mono<Void> send(Publisher<Frame> f) {
            return delegate.send(Flux.from(f).doOnNext(frame -> {
                sent.addAndGet(FRAME_HEADER + frame.payload().readableBytes());
                frames.incrementAndGet();
                count(frame);
            }));
        }

        @Override
        public Flux<Frame> receive() {
            return delegate.receive().doOnNext(frame -> {
                received.addAndGet(FRAME_HEADER + frame.payload().readableBytes());
                count(frame);
            });
        }

        private void count(Frame frame) {
            int type = frame.type();
            if (type == MessageType.PUT.wire() && frame.payload().readableBytes() > 4
                    && frame.payload().getByte(frame.payload().readerIndex() + 4) == 2) {
                type = TREE_PUT;
            }
            byType.computeIfAbsent(type, t -> new AtomicLong())
                    .addAndGet(FRAME_HEADER + frame.payload().readableBytes());
        }

        String breakdown() {
            StringBuilder b = new StringBuilder();
            byType.forEach((type, bytes) -> {
                MessageType t = MessageType.fromWire(type);
                String name = type == TREE_PUT ? "PUT (tree blobs)" : t == MessageType.PUT ? "PUT (data blobs)"
                        : t == null ? "type " + type : t.name();
                b.append(b.length() == 0 ? "" : ", ").append(name).append(' ')
                        .append(String.format(Locale.ROOT, "%,d", bytes.get()));
            });
            return b.toString();
        }

        @Override
        public PeerIdentity peer() {
            return delegate.peer();
        }

        @Override
        public int maxFrameLength() {
            return delegate.maxFrameLength();
        }

        @Override
        public Mono<CloseReason> onClose() {
            return delegate.onClose();
        }

        @Override
        public void close(CloseReason reason) {
            delegate.close(reason);
        }

        @Override
        public boolean isClosed() {
            return delegate.isClosed();
        }
    }

    /** One measured push. */
    record Push(long millis, long sent, long received, long frames, long bytesAdded, String breakdown) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("Usage: WireBytes DIR [--tiny | --scale F] [--repeat N]");
        }
        Path work = Path.of(args[0]).toAbsolutePath();
        DataSetSpec spec = DataSetSpec.scaled(0.2);
        int repeat = 3;
        boolean treeCache = true;
        Long keySeed = 1L;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--tiny" -> spec = DataSetSpec.tiny();
                case "--scale" -> spec = DataSetSpec.scaled(Double.parseDouble(args[++i]));
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--no-tree-cache" -> treeCache = false;
                case "--random-key" -> keySeed = null;
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        Files.createDirectories(work);
        Path data = work.resolve("data");
        DataSetWriter writer = new DataSetWriter(spec);
        writer.generate(data);
        long dataBytes = sizeOf(data);

        Path pki = Files.createDirectories(work.resolve("pki"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("bench-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(2)), new SecureRandom());
        ca.writeTo(pki);
        ca.issue("sink", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(2))).writeTo(pki);
        ca.issue("web-1", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(2))).writeTo(pki);
        // A fixed key (by default) makes runs comparable: chunk and tree blob boundaries depend on the key.
        MasterKey key;
        if (keySeed == null) {
            key = MasterKey.generate(new SecureRandom());
        } else {
            byte[] raw = new byte[MasterKey.LENGTH];
            new java.util.Random(keySeed).nextBytes(raw);
            key = MasterKey.decode(raw);
        }
        Scheduler sinkIo = Schedulers.newBoundedElastic(8, 1024, "bench-sink-io");
        List<Long> localMillis = new ArrayList<>();
        List<Long> tlsMillis = new ArrayList<>();
        Push first = null;
        Push second;
        long localAdded;
        long ideal;
        try (Workers workers = Workers.forMachine()) {
            localBackup(workers, key, work.resolve("warm-up"), data); // page cache and JIT
            for (int r = 0; r < repeat; r++) {
                localMillis.add(localBackup(workers, key, work.resolve("local-" + r), data).millis());
                first = tlsPush(workers, key, pki, sinkIo, work.resolve("sink-" + r), data,
                        treeCache ? TreeCache.at(work.resolve("tree-cache-" + r)) : TreeCache.none());
                tlsMillis.add(first.millis());
                delete(work.resolve("local-" + r));
            }
            ChangeSummary change = writer.applyChanges(data);
            ideal = change.idealBytes();
            second = tlsPush(workers, key, pki, sinkIo, work.resolve("sink-" + (repeat - 1)), data,
                    treeCache ? TreeCache.at(work.resolve("tree-cache-" + (repeat - 1))) : TreeCache.none());
            localAdded = second.bytesAdded();
        } finally {
            sinkIo.dispose();
            key.destroy();
        }
        long local = median(localMillis);
        long tls = median(tlsMillis);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "- data set: %s, %,d bytes; change set ideal (new content): %,d bytes%n",
                spec, dataBytes, ideal));
        out.append(String.format(Locale.ROOT, "- TLS engine: %s; repetitions: %d (medians)%n",
                TlsEngine.preferred(), repeat));
        out.append("\n| run | wall s | source → sink bytes | sink → source bytes | frames sent | sealed bytes stored |\n");
        out.append("|---|---:|---:|---:|---:|---:|\n");
        out.append(row("first backup, local repository", local, -1, -1, -1, -1));
        out.append(row("first backup over TLS", tls, first.sent(), first.received(), first.frames(),
                first.bytesAdded()));
        out.append(row("after the change set, over TLS", second.millis(), second.sent(), second.received(),
                second.frames(), second.bytesAdded()));
        out.append(String.format(Locale.ROOT, "%n- first backup over TLS / local: %.2f (times in ms: local %s,"
                + " TLS %s)%n", (double) tls / local, localMillis, tlsMillis));
        out.append(String.format(Locale.ROOT, "- second backup: %,d bytes on the wire (both directions) for %,d bytes"
                        + " really changed: %.2fx; of it %,d sealed bytes stored (%.2fx)%n",
                second.sent() + second.received(), ideal, (double) (second.sent() + second.received()) / ideal,
                localAdded, (double) localAdded / ideal));
        out.append("- key: " + (keySeed == null ? "random" : "fixed (seed " + keySeed + ")") + "\n");
        out.append("- tree cache: " + (treeCache ? "on" : "off") + "; second backup by message type (bytes, both"
                + " directions): " + second.breakdown() + "\n");
        out.append("- last first backup over TLS by message type: " + first.breakdown() + "\n");
        out.append(String.format(Locale.ROOT, "- first backup: %,d bytes on the wire for %,d bytes of data"
                + " (%.3fx)%n", first.sent() + first.received(), dataBytes,
                (double) (first.sent() + first.received()) / dataBytes));
        System.out.print(out);
    }

    private static String row(String what, long millis, long sent, long received, long frames, long added) {
        return String.format(Locale.ROOT, "| %s | %.2f | %s | %s | %s | %s |%n", what, millis / 1000.0,
                num(sent), num(received), num(frames), num(added));
    }

    private static String num(long n) {
        return n < 0 ? "—" : String.format(Locale.ROOT, "%,d", n);
    }

    private static BackupRequest request(Path data) {
        return new BackupRequest("bench", "web-1", List.of(data), ScanRules.all(), true, ErrorPolicy.abort());
    }

    private static Repository newRepository(Path root, MasterKey key) throws IOException {
        Repository repo = Repository.init(root, RepositorySettings.createDefault(Clock.systemUTC(),
                new SecureRandom()));
        RepositoryKeys.initialize(repo, key, null, new SecureRandom());
        return repo;
    }

    private static Push localBackup(Workers workers, MasterKey key, Path root, Path data) throws IOException {
        try (Repository repo = newRepository(root, key); LocalBlobSink sink = new LocalBlobSink(repo);
                BlobCodec codec = new BlobCodec(key, new BlobCompressor("zstd", 3))) {
            long start = System.nanoTime();
            BackupResult r = new BackupRunner(workers, Clock.systemUTC()).prepare(request(data), repo, sink, codec,
                    CHUNKS).execute();
            return new Push((System.nanoTime() - start) / 1_000_000, 0, 0, 0, r.stats().bytesAdded(), "");
        }
    }

    private static Push tlsPush(Workers workers, MasterKey key, Path pki, Scheduler sinkIo, Path root, Path data,
            TreeCache cache) throws IOException {
        if (!Files.exists(root)) {
            newRepository(root, key).close();
        }
        SinkServer server = new SinkServer(root, new SinkPolicy(Map.of(new PeerIdentity("web-1"), Set.of("bench")),
                SnapshotRateLimit.DEFAULT), Clock.systemUTC(), sinkIo);
        TlsSinkService service = new TlsSinkService(new TlsServerSpec("127.0.0.1", 0, pki.resolve("ca.crt"),
                pki.resolve("sink.crt"), pki.resolve("sink.key"), Map.of("web-1", new PeerIdentity("web-1")),
                LinkSpec.DEFAULT, TlsEngine.preferred()), server);
        service.start();
        try (BlobCodec codec = new BlobCodec(key, new BlobCompressor("zstd", 3))) {
            long start = System.nanoTime();
            Link tls = TlsClient.connect(new TlsClientSpec("127.0.0.1", service.address().getPort(),
                    pki.resolve("ca.crt"), pki.resolve("web-1.crt"), pki.resolve("web-1.key"), "sink", LinkSpec.DEFAULT,
                    TlsEngine.preferred())).block(Duration.ofSeconds(30));
            CountingLink link = new CountingLink(tls);
            BackupResult r;
            try (RemoteBlobSink remote = RemoteBlobSink.open(link, "bench")) {
                remote.keyCheck().orElseThrow();
                r = new BackupRunner(workers, Clock.systemUTC()).prepare(request(data), remote, remote, codec, CHUNKS,
                        cache).execute();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            return new Push(millis, link.sent.get(), link.received.get(), link.frames.get(), r.stats().bytesAdded(),
                    link.breakdown() + "; tree cache hits " + r.stats().treeCacheHits() + ", reference list as delta "
                    + r.stats().refsDelta());
        } finally {
            service.stop();
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static long sizeOf(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Collections.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
