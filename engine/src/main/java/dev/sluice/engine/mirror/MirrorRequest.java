package dev.sluice.engine.mirror;

import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.mirror.dest.FakeSuper;
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
 * @param sourceFakeSuper the roots are a fake-super tree (an earlier mirror by a receiver that was not root): each
 *     entry is sent with the metadata its {@code user.sluice.fake_super} xattr records ({@link FakeSuper#decode})
 */
public record MirrorRequest(List<Path> roots, ScanRules rules, String target, MirrorOptions.Layout layout,
        boolean delete, boolean deleteExcluded, boolean fakeSuper, int keepSnapshots, boolean sourceFakeSuper) {

    /** A request for a tree whose metadata is sent as it is on disk. */
    public MirrorRequest(List<Path> roots, ScanRules rules, String target, MirrorOptions.Layout layout,
            boolean delete, boolean deleteExcluded, boolean fakeSuper, int keepSnapshots) {
        this(roots, rules, target, layout, delete, deleteExcluded, fakeSuper, keepSnapshots, false);
    }

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

    /**
     * The metadata the sender sends for an entry it read as {@code onDisk}.
     *
     * @throws IllegalArgumentException when a fake-super xattr is malformed or does not fit the entry
     */
    FileMeta sent(FileMeta onDisk) {
        return sourceFakeSuper ? FakeSuper.decode(onDisk) : onDisk;
    }

    MirrorCodec.Open open() {
        return new MirrorCodec.Open(MirrorCodec.VERSION, target, layout, delete, deleteExcluded, fakeSuper,
                keepSnapshots, rules.excludes());
    }
}
