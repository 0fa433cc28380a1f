package dev.sluice.engine.backup;

import dev.sluice.engine.scan.ScanEntry;
import dev.sluice.engine.tree.TreeEntry;

/**
 * A scanned entry together with what the parent snapshot knew about the same path, and
 * the decision taken: read it, reuse the parent's chunks, or only record metadata.
 */
public record FileTask(ScanEntry entry, TreeEntry parent, Disposition disposition) {

    /** What the pipeline does with an entry. */
    public enum Disposition {
        /** A regular file the parent did not have: read it. */
        NEW,
        /** A regular file whose size, times or inode differ from the parent's: read it. */
        CHANGED,
        /** A regular file equal to the parent's by size, mtime, ctime and inode: not read. */
        UNCHANGED,
        /** A directory, link, hardlink or special file: metadata only. */
        METADATA,
        /** The scan could not read it; it is reported and left out. */
        PROBLEM;

        public boolean reads() {
            return this == NEW || this == CHANGED;
        }
    }
}
