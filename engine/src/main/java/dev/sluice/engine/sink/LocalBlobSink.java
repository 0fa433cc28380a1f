package dev.sluice.engine.sink;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.PackInfo;
import dev.sluice.engine.repository.PackWriter;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A {@link BlobSink} that writes packs into a local repository. Finished packs are
 * indexed in batches, so a killed run leaves packs that the next run finds and reuses.
 * Thread-safe: the delta stage asks {@link #has} while the store stage puts.
 */
public final class LocalBlobSink implements BlobSink {
    /** Packs are indexed in batches of this many, bounding what a killed run has to rediscover. */
    private static final int INDEX_BATCH = 64;

    private final Repository repository;
    private final Set<BlobId> written = new HashSet<>();
    private final List<PackInfo> unindexed = new ArrayList<>();
    private PackWriter pack;
    private long bytesStored;
    private long blobsStored;

    public LocalBlobSink(Repository repository) {
        this.repository = repository;
    }

    @Override
    public synchronized boolean has(BlobId id) {
        return written.contains(id) || repository.index().contains(id);
    }

    @Override
    public synchronized void put(BlobId id, BlobKind kind, byte[] sealed) throws IOException {
        put(id, kind, sealed, sealed.length);
    }

    @Override
    public synchronized void put(BlobId id, BlobKind kind, byte[] sealed, int length) throws IOException {
        if (has(id)) {
            return;
        }
        if (pack == null) {
            pack = repository.newPackWriter();
        }
        pack.add(id, kind, sealed, 0, length);
        written.add(id);
        bytesStored += length;
        blobsStored++;
        if (pack.size() >= repository.settings().packTargetSize()) {
            finishPack();
        }
    }

    private void finishPack() throws IOException {
        PackWriter finishing = pack;
        pack = null;
        unindexed.add(finishing.finish());
        if (unindexed.size() >= INDEX_BATCH) {
            flushIndex();
        }
    }

    private void flushIndex() throws IOException {
        if (!unindexed.isEmpty()) {
            repository.commitIndex(List.copyOf(unindexed));
            unindexed.clear();
            written.clear();
        }
    }

    @Override
    public synchronized BlobId putRefs(Iterator<BlobId> sortedUniqueIds) throws IOException {
        return repository.writeRefs(sortedUniqueIds);
    }

    @Override
    public synchronized SnapshotId commit(SnapshotRecord record) throws IOException {
        if (pack != null) {
            finishPack();
        }
        flushIndex();
        return repository.writeSnapshot(record);
    }

    @Override
    public synchronized long bytesStored() {
        return bytesStored;
    }

    @Override
    public synchronized long blobsStored() {
        return blobsStored;
    }

    @Override
    public synchronized void close() throws IOException {
        // A run that ends early still keeps what arrived: the open pack is finished and
        // indexed, so the next run sends only what is missing. Nothing becomes part of a
        // snapshot until commit() writes the record.
        try {
            if (pack != null) {
                PackWriter open = pack;
                pack = null;
                try {
                    unindexed.add(open.finish());
                } catch (IOException | RuntimeException e) {
                    open.abort();
                    throw e;
                }
            }
        } finally {
            flushIndex();
        }
    }
}
