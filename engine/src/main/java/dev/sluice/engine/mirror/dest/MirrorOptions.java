package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.scan.ScanRules;
import java.util.Objects;

/**
 * How a mirror target behaves.
 *
 * @param layout         {@code IN_PLACE} keeps one tree equal to the source; {@code SNAPSHOTS} makes a dated tree per run
 * @param delete         remove entries the source no longer has
 * @param protect        entries matching these rules (the job's excludes) are never deleted...
 * @param deleteExcluded ...unless this is set
 * @param fakeSuper      keep owner, special kinds and device numbers in an xattr when not root
 * @param keepSnapshots  in {@code SNAPSHOTS}, how many complete snapshots to keep (0 = all)
 * @param limits         counts and lengths the receiver accepts
 */
public record MirrorOptions(Layout layout, boolean delete, ScanRules protect, boolean deleteExcluded,
        boolean fakeSuper, int keepSnapshots, MirrorLimits limits) {

    public enum Layout { IN_PLACE, SNAPSHOTS }

    public MirrorOptions {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(protect, "protect");
        Objects.requireNonNull(limits, "limits");
        if (keepSnapshots < 0) {
            throw new IllegalArgumentException("keep_snapshots must not be negative");
        }
    }
}
