package dev.sluice.engine.mirror.dest;

/**
 * What a receiver accepts from one run; anything beyond is refused and ends the run.
 *
 * @param maxNameBytes  one path component (Linux: 255)
 * @param maxPathBytes  a whole relative path (Linux: 4095)
 * @param maxDepth      directory nesting
 * @param maxEntries    entries in one run
 * @param maxFileBytes  size of one file
 * @param maxLinkTarget bytes of a symlink target
 */
public record MirrorLimits(int maxNameBytes, int maxPathBytes, int maxDepth, long maxEntries, long maxFileBytes,
        int maxLinkTarget) {

    public static final MirrorLimits DEFAULT = new MirrorLimits(255, 4095, 1024, 100_000_000L, 1L << 46, 4095);
}
