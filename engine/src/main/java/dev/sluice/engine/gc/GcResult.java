package dev.sluice.engine.gc;

import java.util.List;

/**
 * What one garbage collection did (or, in a dry run, would do). Byte counts are file sizes on disk;
 * {@code bytesFreed} is everything deleted minus everything written (new packs and the new index).
 * {@code packsDeleted} counts every pack file removed, the rewritten ones included.
 */
public record GcResult(
        boolean dryRun,
        int snapshotsRemoved,
        int snapshotsRemaining,
        int refsRemoved,
        long liveBlobs,
        long blobsRemoved,
        int packsBefore,
        int packsDeleted,
        int packsRewritten,
        int packsWritten,
        long packBytesBefore,
        long packBytesAfter,
        int indexFilesReplaced,
        int tmpFilesRemoved,
        long bytesFreed,
        List<String> notes) {
    public GcResult {
        notes = List.copyOf(notes);
    }
}
