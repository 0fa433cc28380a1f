package dev.sluice.engine.sink;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import java.io.IOException;
import java.util.Iterator;

/**
 * What a backup needs from the place that stores it: append-only operations on sealed,
 * opaque blobs. The local implementation writes a repository directly; a remote one
 * (issue 4) sends the same operations over a link. Nothing here can delete or rewrite.
 */
public interface BlobSink extends AutoCloseable {

    /** True if the sink already stores a blob with this id (from an earlier snapshot or this run). */
    boolean has(BlobId id) throws IOException;

    /**
     * Asks about many ids at once: element i of the answer is {@link #has(BlobId)} of id i. A remote sink answers
     * a batch in one round trip; the default asks one by one.
     */
    default boolean[] has(java.util.List<BlobId> ids) throws IOException {
        boolean[] out = new boolean[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = has(ids.get(i));
        }
        return out;
    }

    /** Stores one sealed blob; blocks while the sink is busy, which is how a slow sink slows the source. */
    void put(BlobId id, BlobKind kind, byte[] sealed) throws IOException;

    /** Stores the first {@code length} bytes of {@code sealed}; the array stays the caller's. */
    default void put(BlobId id, BlobKind kind, byte[] sealed, int length) throws IOException {
        put(id, kind, length == sealed.length ? sealed : java.util.Arrays.copyOf(sealed, length));
    }

    /** Stores the sorted list of blob ids a snapshot references, returning its content id. */
    BlobId putRefs(Iterator<BlobId> sortedUniqueIds) throws IOException;

    /**
     * True if {@link #putRefsDelta} is worth calling: the sink stores a reference list given as a difference against
     * a parent snapshot's list it holds (a remote sink, where the full list would cost 32 bytes per blob on the wire).
     */
    default boolean takesRefsDelta() {
        return false;
    }

    /**
     * Stores the reference list {@code parent}'s list + {@code added} − {@code removed} (both strictly ascending;
     * added ids not in the parent's list, removed ids in it) and returns its content id, which equals
     * {@link #putRefs} of the whole list. Only for sinks whose {@link #takesRefsDelta()} is true.
     */
    default BlobId putRefsDelta(SnapshotId parent, java.util.List<BlobId> added, java.util.List<BlobId> removed)
            throws IOException {
        throw new UnsupportedOperationException("this sink takes whole reference lists only");
    }

    /** Makes every blob put so far durable, then writes the snapshot record, last. */
    SnapshotId commit(SnapshotRecord record) throws IOException;

    /** Bytes of sealed blobs stored by this sink session so far. */
    long bytesStored();

    /** Number of blobs stored by this sink session so far. */
    long blobsStored();

    /** Ends the session; blobs stored but not committed stay in the repository for the next run. */
    @Override
    void close() throws IOException;
}
