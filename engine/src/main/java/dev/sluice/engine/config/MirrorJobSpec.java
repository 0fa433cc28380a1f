package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where a {@code type: mirror} job writes ({@code mirror:} block): a local directory, or a named target of a
 * receiver daemon reached over mutual TLS; and how the receiver keeps the tree.
 *
 * @param directory the local target directory, or null when the job pushes over {@code tls}
 * @param target the receiver's target name (with {@code tls}), or null for a local directory
 * @param tls the receiver's listener, or null for a local directory
 * @param layout {@code in-place} (one tree, each file replaced atomically) or {@code snapshots} (a dated tree per run)
 * @param delete remove entries the source no longer has; default true
 * @param deleteExcluded also remove entries matching the job's excludes (kept by default)
 * @param fakeSuper keep owner, special kinds and device numbers in an xattr when the receiver is not root
 * @param keepSnapshots in {@code snapshots}, how many complete snapshots to keep; 0 keeps all
 */
public record MirrorJobSpec(Path directory, String target, MirrorTlsSpec tls, String layout, boolean delete,
        boolean deleteExcluded, boolean fakeSuper, int keepSnapshots) implements RepositorySpec {

    /** The layouts, as written in the configuration. */
    public static final List<String> LAYOUTS = List.of("in-place", "snapshots");

    public MirrorJobSpec {
        Objects.requireNonNull(layout, "layout");
        if (!LAYOUTS.contains(layout)) {
            throw new IllegalArgumentException("unknown layout '" + layout + "'; expected in-place or snapshots");
        }
        if ((directory == null) == (tls == null)) {
            throw new IllegalArgumentException("a mirror job needs exactly one of directory and tls");
        }
        if (tls != null && target == null) {
            throw new IllegalArgumentException("a mirror job over tls needs the receiver's target name");
        }
        if (keepSnapshots < 0) {
            throw new IllegalArgumentException("keep_snapshots must not be negative");
        }
    }

    @Override
    public String describe() {
        return tls != null ? "mirror tls " + tls.host() + ":" + tls.port() + " target " + target
                : "mirror " + directory;
    }
}
