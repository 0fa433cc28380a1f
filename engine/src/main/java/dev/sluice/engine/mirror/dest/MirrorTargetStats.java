package dev.sluice.engine.mirror.dest;

/**
 * What a finished run did to the target.
 *
 * @param finalTree the tree the run completed, relative to the target root ("." for in-place, the dated name for snapshots)
 */
public record MirrorTargetStats(String finalTree, long filesWritten, long filesKept, long bytesWritten,
        long bytesCopiedFromBasis, long entriesDeleted) {
}
