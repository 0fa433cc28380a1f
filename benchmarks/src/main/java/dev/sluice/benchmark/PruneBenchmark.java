package dev.sluice.benchmark;

import dev.sluice.engine.gc.GcOptions;
import dev.sluice.engine.gc.GcResult;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.PackWriter;
import dev.sluice.engine.repository.PackInfo;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.RepositorySettings;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.retention.Pruner;
import dev.sluice.engine.retention.RetentionPolicy;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Prune of a synthetic repository (default 1,000 snapshots, 1,000,000 blobs of 64 fake sealed bytes; garbage
 * collection never decrypts, so no key is involved): measures the wall time and the peak heap of the prune.
 * Run: {@code java -cp benchmarks.jar dev.sluice.benchmark.PruneBenchmark DIR [snapshots] [blobs] [keep] [MODE]},
 * where MODE is {@code all} (default: build, then prune in the same process), {@code build} (only build
 * {@code DIR/repo}) or {@code prune} (only prune an existing {@code DIR/repo}, so that the process's peak resident
 * memory, e.g. from {@code /usr/bin/time -v}, is the prune's own).
 */
public final class PruneBenchmark {
    private PruneBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "prune-bench");
        int snapshots = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int blobs = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        int keep = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        String mode = args.length > 4 ? args[4] : "all";
        if (!List.of("all", "build", "prune").contains(mode)) {
            throw new IllegalArgumentException("unknown mode '" + mode + "'; expected all, build or prune");
        }
        Path root = dir.resolve("repo");
        if (!mode.equals("prune")) {
            if (Files.exists(root)) {
                throw new IllegalArgumentException(root + " exists; give an empty directory");
            }
            long t0 = System.nanoTime();
            build(root, snapshots, blobs);
            System.out.printf("built %d snapshots, %d blobs in %.1f s%n", snapshots, blobs,
                    (System.nanoTime() - t0) / 1e9);
            if (mode.equals("build")) {
                return;
            }
        } else if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(root + " does not exist; build it first with mode build");
        }

        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long before = usedHeap();
        long start = System.nanoTime();
        Pruner.Outcome outcome = Pruner.run(root, List.of(new Pruner.Scope(null, null,
                RetentionPolicy.NONE.withKeepLast(keep))), GcOptions.DEFAULT, RepositoryLock.Owner.current(),
                Clock.systemUTC());
        double seconds = (System.nanoTime() - start) / 1e9;
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        GcResult gc = outcome.gc();
        System.out.printf("prune: %.2f s; heap before %d MB, peak of heap pools during prune %d MB (max heap %d MB)%n",
                seconds, before >> 20, peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("removed %d snapshots, %d blobs; packs %d: %d deleted, %d rewritten into %d; %d MB -> %d MB"
                        + "; freed %d MB%n", gc.snapshotsRemoved(), gc.blobsRemoved(), gc.packsBefore(),
                gc.packsDeleted(), gc.packsRewritten(), gc.packsWritten(), gc.packBytesBefore() >> 20,
                gc.packBytesAfter() >> 20, gc.bytesFreed() >> 20);
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** Snapshot i adds blobs/snapshots new blobs and references the newest 20 snapshots' worth. */
    private static void build(Path root, int snapshots, int blobs) throws Exception {
        Random random = new Random(1);
        int perSnapshot = blobs / snapshots;
        int window = perSnapshot * 20;
        byte[][] ids = new byte[blobs][];
        byte[] sealed = new byte[64];
        Instant time = Instant.parse("2024-01-01T00:00:00Z");
        try (Repository repo = Repository.init(root, RepositorySettings.createDefault(Clock.systemUTC(),
                new SecureRandom()).withPackTargetSize(4 << 20))) {
            PackWriter writer = null;
            List<PackInfo> finished = new ArrayList<>();
            for (int s = 0; s < snapshots; s++) {
                for (int b = s * perSnapshot; b < (s + 1) * perSnapshot; b++) {
                    ids[b] = new byte[32];
                    random.nextBytes(ids[b]);
                    random.nextBytes(sealed);
                    if (writer == null) {
                        writer = repo.newPackWriter();
                    }
                    writer.add(BlobId.of(ids[b]), BlobKind.DATA, sealed, 0, sealed.length);
                    if (writer.size() >= repo.settings().packTargetSize()) {
                        finished.add(writer.finish());
                        writer = null;
                    }
                }
                if (writer != null) {
                    finished.add(writer.finish());
                    writer = null;
                }
                if (finished.size() >= 16 || s == snapshots - 1) {
                    repo.commitIndex(finished);
                    finished.clear();
                }
                int from = Math.max(0, (s + 1) * perSnapshot - window);
                byte[][] refs = Arrays.copyOfRange(ids, from, (s + 1) * perSnapshot);
                Arrays.sort(refs, Arrays::compareUnsigned);
                BlobId refsId = repo.writeRefs(Arrays.stream(refs).map(BlobId::of).iterator());
                repo.writeSnapshot(SnapshotRecord.create("job", "host", time.plus(Duration.ofHours(s)), null,
                        refs.length, 0, (long) refs.length * 64, perSnapshot * 64L, perSnapshot, refsId, new byte[64]));
            }
        }
    }
}
