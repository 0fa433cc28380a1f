package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.backup.BackupRequest;
import dev.sluice.engine.backup.BackupResult;
import dev.sluice.engine.backup.BackupRunner;
import dev.sluice.engine.backup.ErrorPolicy;
import dev.sluice.engine.chunk.ChunkerParams;
import dev.sluice.engine.compress.BlobCompressor;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.IndexEntry;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositorySettings;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.restore.RestoreOptions;
import dev.sluice.engine.restore.Restorer;
import dev.sluice.engine.retention.SnapshotRateLimit;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.engine.tree.TreeCache;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** A source tree, a key at the source, a key-less sink repository and a sink server, for push tests. */
final class PushHarness implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    /** Small chunks so that a small change touches few bytes. */
    static final ChunkerParams CHUNKS = new ChunkerParams(4096, 16384, 65536);
    /** The sink's clock runs ten years ahead, so a stored time is visibly the sink's own. */
    static final Duration SINK_CLOCK_OFFSET = Duration.ofDays(3650);

    final Path src;
    final Path repoRoot;
    final Path keyDir;
    final MasterKey key = MasterKey.generate(new SecureRandom());
    final Workers workers = new Workers(Schedulers.newBoundedElastic(8, 1024, "src-io"),
            Schedulers.newParallel("src-cpu", 2), 2);
    final Scheduler sinkIo = Schedulers.newBoundedElastic(4, 1024, "sink-io");
    final SinkServer server;

    PushHarness(Path dir) throws IOException {
        this(dir, SnapshotRateLimit.DEFAULT);
    }

    PushHarness(Path dir, SnapshotRateLimit rateLimit) throws IOException {
        src = Files.createDirectories(dir.resolve("source/data"));
        keyDir = Files.createDirectories(dir.resolve("source/key"));
        repoRoot = dir.resolve("sink/repo");
        Files.createDirectories(repoRoot.getParent());
        Repository.init(repoRoot, RepositorySettings.createDefault(Clock.systemUTC(), new SecureRandom())).close();
        SinkPolicy policy = new SinkPolicy(Map.of(new PeerIdentity("web-1"), Set.of("home"),
                new PeerIdentity("web-2"), Set.of("db")), rateLimit);
        server = new SinkServer(repoRoot, policy, Clock.offset(Clock.systemUTC(), SINK_CLOCK_OFFSET), sinkIo);
        Random r = new Random(42);
        Files.writeString(src.resolve("a.txt"), "hello sink\n");
        Files.createDirectories(src.resolve("sub/deeper"));
        Files.writeString(src.resolve("sub/deeper/c.txt"), "c".repeat(5000));
        Files.write(src.resolve("big.bin"), random(r, 512 * 1024));
        Files.write(src.resolve("sub/mid.bin"), random(r, 100 * 1024));
        Files.createSymbolicLink(src.resolve("link"), Path.of("a.txt"));
    }

    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    BlobCodec codec() {
        return new BlobCodec(key, new BlobCompressor("zstd", 3));
    }

    /** The sink serves {@code sinkEnd}; returns a cached result that completes with the session's close reason. */
    Mono<CloseReason> serve(Link sinkEnd) {
        Mono<CloseReason> served = server.serve(sinkEnd).cache();
        served.subscribe(r -> { }, e -> { });
        return served;
    }

    /** One push of {@code src} for {@code job} through {@code sourceEnd}. */
    BackupResult push(Link sourceEnd, String job) throws IOException {
        return push(sourceEnd, job, TreeCache.none());
    }

    /** One push that reads and keeps its tree blobs in {@code treeCache}. */
    BackupResult push(Link sourceEnd, String job, TreeCache treeCache) throws IOException {
        try (BlobCodec codec = codec(); RemoteBlobSink remote = RemoteBlobSink.open(sourceEnd, job)) {
            BackupRequest request = new BackupRequest(job, "claimed-host", List.of(src), ScanRules.all(), true,
                    ErrorPolicy.abort());
            return new BackupRunner(workers, Clock.systemUTC()).prepare(request, remote, remote, codec, CHUNKS,
                    treeCache).execute();
        }
    }

    List<SnapshotRecord> snapshots() throws IOException {
        try (Repository repo = Repository.open(repoRoot)) {
            return repo.snapshots();
        }
    }

    /** Sum of the sealed sizes of the DATA blobs the sink stores. */
    long storedDataBytes() throws IOException {
        long sum = 0;
        try (Repository repo = Repository.open(repoRoot)) {
            for (IndexEntry e : repo.index()) {
                if (e.kind() == BlobKind.DATA) {
                    sum += e.length();
                }
            }
        }
        return sum;
    }

    /** Every file of the repository except locks and temporary files, with its size. */
    Map<String, Long> repositoryFiles() throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(repoRoot)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = repoRoot.relativize(p).toString();
                if (Files.isRegularFile(p) && !rel.startsWith("locks") && !rel.startsWith("tmp")) {
                    out.put(rel, Files.size(p));
                }
            }
        }
        return out;
    }

    /** Restores the newest snapshot with the source's key and compares it with the source tree. */
    void restoreAndCompare(Path target) throws IOException {
        try (Repository repo = Repository.open(repoRoot); BlobCodec codec = codec()) {
            SnapshotRecord latest = repo.snapshots().stream()
                    .max(java.util.Comparator.comparing(SnapshotRecord::time)).orElseThrow();
            new Restorer(workers, repo, codec).restore(latest, target, new RestoreOptions(List.of(), false),
                    p -> { throw new AssertionError("restore problem: " + p); });
        }
        TreeAssert.assertSameTree(src, target.resolve(src.toAbsolutePath().toString().substring(1)));
    }

    /** The sink side never saw key material: no key file in or beside its repository. */
    void assertSinkHasNoKey() throws IOException {
        try (Repository repo = Repository.open(repoRoot)) {
            assertEquals(List.of(), repo.keyMaterialNames(), "key material in the sink's repository");
        }
        try (Stream<Path> s = Files.walk(repoRoot.getParent())) {
            assertTrue(s.noneMatch(p -> Files.isRegularFile(p) && p.getFileName().toString().contains("key")),
                    "a key file near the sink's repository");
        }
    }

    @Override
    public void close() {
        workers.close();
        sinkIo.dispose();
    }
}
