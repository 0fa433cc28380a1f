package dev.sluice.engine.tree;

import dev.sluice.engine.scan.PathOrder;
import java.util.Iterator;

/**
 * A merge-join cursor over the parent snapshot's entries. Because the scan emits paths in
 * the same total order the parent stream was written in, looking up each scanned path in
 * turn only ever moves forward: memory does not grow with the number of files.
 */
public final class ParentCursor {
    private final Iterator<TreeEntry> parent;
    private TreeEntry head;
    private String failure;

    public ParentCursor(Iterator<TreeEntry> parent) {
        this.parent = parent;
        this.head = advance();
    }

    /** Why the parent stream ended early (a damaged parent only costs re-reading), or null. */
    public String failure() {
        return failure;
    }

    private TreeEntry advance() {
        try {
            return parent.hasNext() ? parent.next() : null;
        } catch (java.io.UncheckedIOException e) {
            failure = e.getCause().getMessage();
            return null;
        }
    }

    public static ParentCursor empty() {
        return new ParentCursor(java.util.Collections.emptyIterator());
    }

    /** The parent's entry for this path, or null; paths must be asked for in scan order. */
    public TreeEntry find(byte[] path) {
        while (head != null) {
            int c = PathOrder.compare(head.path(), path);
            if (c == 0) {
                return head;
            }
            if (c > 0) {
                return null;
            }
            head = advance();
        }
        return null;
    }
}
