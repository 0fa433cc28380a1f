package dev.sluice.benchmark.stage;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.Index;
import dev.sluice.engine.repository.IndexEntry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The delta stage's question "is this chunk stored?": {@link Index#lookup} and {@link Index#contains}
 * on an index of 1 M or 10 M entries, for ids present and absent; one op = one id, so the score is
 * ids/s (not MiB/s). Each invocation looks up 4,096 ids spread over the whole index, so caches see
 * the random access a real index gets. 10 M entries need about 600 MB of heap: the fork gets -Xmx2g.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(jvmArgsPrepend = {"-Xmx2g"})
public class IndexLookupBenchmark {

    /** Ids probed per invocation; keep equal to the OperationsPerInvocation below. */
    static final int PROBES = 4096;

    @Param({"1000000", "10000000"})
    public int entries;

    private Index index;
    private BlobId[] present;
    private BlobId[] absent;

    @Setup
    public void setUp() {
        index = IndexFixture.build(entries, 1);
        present = new BlobId[PROBES];
        absent = new BlobId[PROBES];
        long step = Math.max(1, entries / PROBES);
        for (int i = 0; i < PROBES; i++) {
            present[i] = IndexFixture.id(1, (i * step * 7919L) % entries);
            absent[i] = IndexFixture.id(2, i);
        }
    }

    /** Looks up present ids; returns the sum of their lengths. */
    @Benchmark
    @OperationsPerInvocation(PROBES)
    public long lookupPresent() {
        long sum = 0;
        for (BlobId id : present) {
            IndexEntry e = index.lookup(id);
            sum += e.length();
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(PROBES)
    public int containsPresent() {
        int found = 0;
        for (BlobId id : present) {
            if (index.contains(id)) {
                found++;
            }
        }
        if (found != PROBES) {
            throw new IllegalStateException("only " + found + " of " + PROBES + " present ids were found");
        }
        return found;
    }

    @Benchmark
    @OperationsPerInvocation(PROBES)
    public int containsAbsent() {
        int found = 0;
        for (BlobId id : absent) {
            if (index.contains(id)) {
                found++;
            }
        }
        return found;
    }
}
