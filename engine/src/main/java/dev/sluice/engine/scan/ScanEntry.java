package dev.sluice.engine.scan;

import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.RawPath;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One entry found by the scan: its raw absolute path, its metadata, and its hardlink partner,
 * or the problem that prevented reading it.
 *
 * @param path       absolute, normalized raw path
 * @param file       the same path as a {@link Path} (raw bytes inside)
 * @param meta       the entry's metadata; null exactly when {@code problem} is not null
 * @param hardlinkTo for a non-directory with nlink &gt; 1: the raw path of the first entry of this
 *                   scan with the same (dev, ino), or null if this is the first one
 * @param problem    what went wrong, or null
 */
public record ScanEntry(byte[] path, Path file, FileMeta meta, byte[] hardlinkTo, FileProblem problem) {

    public ScanEntry {
        path = Objects.requireNonNull(path, "path").clone();
        Objects.requireNonNull(file, "file");
        if ((meta == null) == (problem == null)) {
            throw new IllegalArgumentException("entry " + RawPath.escape(path) + " needs exactly one of meta and problem");
        }
        if (hardlinkTo != null && meta == null) {
            throw new IllegalArgumentException("entry " + RawPath.escape(path) + " has a problem and cannot be a hardlink");
        }
        hardlinkTo = hardlinkTo == null ? null : hardlinkTo.clone();
    }

    /** An entry that was read successfully. */
    public static ScanEntry of(Path file, FileMeta meta, byte[] hardlinkTo) {
        return new ScanEntry(RawPath.bytes(file), file, meta, hardlinkTo, null);
    }

    /** An entry that could not be read. */
    public static ScanEntry failed(Path file, FileProblem.Kind kind, String message) {
        byte[] raw = RawPath.bytes(file);
        return new ScanEntry(raw, file, null, null, new FileProblem(raw, kind, message));
    }

    @Override
    public byte[] path() {
        return path.clone();
    }

    @Override
    public byte[] hardlinkTo() {
        return hardlinkTo == null ? null : hardlinkTo.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScanEntry e && Arrays.equals(path, e.path) && Objects.equals(meta, e.meta)
                && Arrays.equals(hardlinkTo, e.hardlinkTo) && Objects.equals(problem, e.problem);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(path), meta, Arrays.hashCode(hardlinkTo), problem);
    }

    @Override
    public String toString() {
        return "ScanEntry[" + RawPath.escape(path)
                + (meta != null ? " " + meta.kind() : "")
                + (hardlinkTo != null ? " hardlinkTo=" + RawPath.escape(hardlinkTo) : "")
                + (problem != null ? " problem=" + problem : "") + "]";
    }
}
