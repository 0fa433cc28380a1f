package dev.sluice.engine.backup;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counters of one backup run, written by the stages and read by progress displays,
 * the status socket and metrics.
 */
public final class BackupStats {
    final AtomicLong filesNew = new AtomicLong();
    final AtomicLong filesChanged = new AtomicLong();
    final AtomicLong filesUnchanged = new AtomicLong();
    final AtomicLong dirs = new AtomicLong();
    final AtomicLong others = new AtomicLong();
    final AtomicLong problems = new AtomicLong();
    final AtomicLong bytesRead = new AtomicLong();
    final AtomicLong bytesTotal = new AtomicLong();
    final AtomicLong bytesAdded = new AtomicLong();
    final AtomicLong blobsAdded = new AtomicLong();
    final AtomicLong treeBlobsAdded = new AtomicLong();
    final AtomicLong chunksNew = new AtomicLong();
    final AtomicLong chunksKnown = new AtomicLong();
    final AtomicLong treeCacheHits = new AtomicLong();
    final AtomicLong treeCacheRejected = new AtomicLong();
    volatile String parentUnreadable;
    private volatile String treeCacheProblem;
    volatile boolean refsDelta;

    public long filesNew() { return filesNew.get(); }
    public long filesChanged() { return filesChanged.get(); }
    public long filesUnchanged() { return filesUnchanged.get(); }
    public long files() { return filesNew.get() + filesChanged.get() + filesUnchanged.get(); }
    public long dirs() { return dirs.get(); }
    public long others() { return others.get(); }
    public long problems() { return problems.get(); }
    public long bytesRead() { return bytesRead.get(); }
    public long bytesTotal() { return bytesTotal.get(); }
    public long bytesAdded() { return bytesAdded.get(); }
    /** Data blobs (file content chunks) added to the repository. */
    public long blobsAdded() { return blobsAdded.get(); }
    /** Metadata blobs added to the repository. */
    public long treeBlobsAdded() { return treeBlobsAdded.get(); }
    public long chunksNew() { return chunksNew.get(); }
    public long chunksKnown() { return chunksKnown.get(); }

    /** Parent tree blobs read from the local tree cache (not fetched from the sink). */
    public long treeCacheHits() { return treeCacheHits.get(); }
    /** Cached parent tree blobs that did not open with the key and were fetched again. */
    public long treeCacheRejected() { return treeCacheRejected.get(); }
    /** The first problem with the tree cache (it only costs speed), or null. */
    public String treeCacheProblem() { return treeCacheProblem; }
    /** True if the reference list was sent as a difference against the parent's. */
    public boolean refsDelta() { return refsDelta; }

    void treeCacheProblem(String problem) {
        if (treeCacheProblem == null) {
            treeCacheProblem = problem;
        }
    }

    /** Why the parent snapshot could not be used (every file was read), or null. */
    public String parentUnreadable() { return parentUnreadable; }
}
