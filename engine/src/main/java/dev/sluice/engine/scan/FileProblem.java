package dev.sluice.engine.scan;

import dev.sluice.engine.fs.RawPath;
import java.util.Arrays;
import java.util.Objects;

/**
 * A problem with one file, carried as a value to the job's error policy instead of ending the scan.
 *
 * @param path    absolute raw path of the entry
 * @param kind    what went wrong
 * @param message a sentence for humans (usually the operating system's reason)
 */
public record FileProblem(byte[] path, Kind kind, String message) {

    /** What went wrong with a file. */
    public enum Kind {
        /** Permission denied or another error reading the entry or listing the directory. */
        UNREADABLE,
        /** The entry disappeared between being listed and being read (or a root does not exist). */
        VANISHED,
        /** The entry changed while it was being read. */
        CHANGED,
        /** Anything else. */
        OTHER
    }

    public FileProblem {
        path = Objects.requireNonNull(path, "path").clone();
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public byte[] path() {
        return path.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileProblem p && Arrays.equals(path, p.path) && kind == p.kind && message.equals(p.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(path), kind, message);
    }

    @Override
    public String toString() {
        return kind + " " + RawPath.escape(path) + ": " + message;
    }
}
