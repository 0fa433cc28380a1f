package dev.sluice.engine.mirror;

import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.scan.ScanRules;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What one mirror run sends: the roots and scan rules at the sender, and the target and options it asks the
 * receiver for. A single root that is a directory is mirrored as its contents (the target becomes that
 * directory); with several roots, or a root that is not a directory, each root appears under its own name.
 *
 * @param target the receiver's target name (the target directory itself for a local run)
 * @param keepSnapshots in {@code snapshots}, how many complete snapshots the receiver keeps (0 = all)
 */
public record MirrorRequest(List<Path> roots, ScanRules rules, String target, MirrorOptions.Layout layout,
        boolean delete, boolean deleteExcluded, boolean fakeSuper, int keepSnapshots) {

    public MirrorRequest {
        roots = List.copyOf(roots);
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("a mirror run needs at least one root");
        }
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(layout, "layout");
        if (keepSnapshots < 0) {
            throw new IllegalArgumentException("keep_snapshots must not be negative, got " + keepSnapshots);
        }
    }

    MirrorCodec.Open open() {
        return new MirrorCodec.Open(MirrorCodec.VERSION, target, layout, delete, deleteExcluded, fakeSuper,
                keepSnapshots, rules.excludes());
    }
}
