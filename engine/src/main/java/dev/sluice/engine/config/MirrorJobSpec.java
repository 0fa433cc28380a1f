package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code type: mirror} job's {@code mirror:} block. The job is one of five kinds, by which keys are set:
 * <ul>
 * <li>local: {@code directory} (sender and receiver in this process);</li>
 * <li>push: {@code target} and {@code connect} ({@code tls} or {@code ssh}) to a receiver daemon;</li>
 * <li>pulled (sender side): {@code pulledBy}, the receivers that may pull it through this daemon's listener;</li>
 * <li>reverse pulled (sender side): {@code reversePull}, the receiver this daemon dials and parks a link at;</li>
 * <li>pull (receiver side): {@code pull}, the sender's job and how to reach it, and {@code directory}.</li>
 * </ul>
 * Layout, delete, fake_super and keep_snapshots are chosen by the side that runs the job and writes (local, push,
 * pull); a pulled job leaves them to its receiver.
 *
 * @param directory the local target directory (local, pull), else null
 * @param target the receiver's target name (push), else null
 * @param connect how to reach the receiver (push), else null
 * @param pulledBy receivers that may pull this job (pulled), else empty
 * @param reversePull the receiver to dial and wait at (reverse pulled), else null
 * @param pull the sender's job and how to reach it (pull), else null
 * @param layout {@code in-place} (one tree, each file replaced atomically) or {@code snapshots} (a dated tree per run)
 * @param delete remove entries the source no longer has; default true
 * @param deleteExcluded also remove entries matching the job's excludes (kept by default)
 * @param fakeSuper keep owner, special kinds and device numbers in an xattr when the receiver is not root
 * @param keepSnapshots in {@code snapshots}, how many complete snapshots to keep; 0 keeps all
 * @param sourceFakeSuper the sender's tree is itself a fake-super tree: entries are sent with the metadata their
 *     {@code user.sluice.fake_super} xattr records (sending side only)
 */
public record MirrorJobSpec(Path directory, String target, ConnectSpec connect, Set<String> pulledBy,
        ConnectSpec reversePull, PullSourceSpec pull, String layout, boolean delete, boolean deleteExcluded,
        boolean fakeSuper, int keepSnapshots, boolean sourceFakeSuper) implements RepositorySpec {

    /** The layouts, as written in the configuration. */
    public static final List<String> LAYOUTS = List.of("in-place", "snapshots");

    /** A local mirror or a push (the kinds that existed first). */
    public MirrorJobSpec(Path directory, String target, ConnectSpec connect, String layout, boolean delete,
            boolean deleteExcluded, boolean fakeSuper, int keepSnapshots) {
        this(directory, target, connect, Set.of(), null, null, layout, delete, deleteExcluded, fakeSuper,
                keepSnapshots, false);
    }

    public MirrorJobSpec {
        Objects.requireNonNull(layout, "layout");
        pulledBy = Set.copyOf(new TreeSet<>(pulledBy));
        if (!LAYOUTS.contains(layout)) {
            throw new IllegalArgumentException("unknown layout '" + layout + "'; expected in-place or snapshots");
        }
        int kinds = (connect != null ? 1 : 0) + (!pulledBy.isEmpty() ? 1 : 0) + (reversePull != null ? 1 : 0)
                + (pull != null ? 1 : 0) + (directory != null && pull == null ? 1 : 0);
        if (kinds != 1) {
            throw new IllegalArgumentException("a mirror job needs exactly one of directory, tls or ssh, pulled_by,"
                    + " reverse_pull and pull");
        }
        if (connect != null && target == null) {
            throw new IllegalArgumentException("a mirror job pushed to a receiver needs the receiver's target name");
        }
        if (connect == null && target != null) {
            throw new IllegalArgumentException("only a mirror job pushed to a receiver names a target");
        }
        if (pull != null && directory == null) {
            throw new IllegalArgumentException("a mirror pull job needs the directory it writes");
        }
        if (pull != null && sourceFakeSuper) {
            throw new IllegalArgumentException("source_fake_super belongs to the sending job, not to a pull");
        }
        if (keepSnapshots < 0) {
            throw new IllegalArgumentException("keep_snapshots must not be negative");
        }
    }

    /** Whether a receiver drives this (sending) job: it runs only when pulled. */
    public boolean pulled() {
        return !pulledBy.isEmpty() || reversePull != null;
    }

    @Override
    public String describe() {
        if (connect != null) {
            return "mirror " + connect.describe() + " target " + target;
        }
        if (!pulledBy.isEmpty()) {
            return "mirror pulled by " + String.join(", ", new TreeSet<>(pulledBy));
        }
        if (reversePull != null) {
            return "mirror reverse pull to " + reversePull.describe();
        }
        if (pull != null) {
            return "mirror pull of " + pull.describe() + " into " + directory;
        }
        return "mirror " + directory;
    }
}
