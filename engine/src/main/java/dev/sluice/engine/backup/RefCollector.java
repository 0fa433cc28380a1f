package dev.sluice.engine.backup;

import dev.sluice.engine.repository.BlobId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Collects the ids of every blob a snapshot references, and yields them sorted and
 * unique for the snapshot's clear reference list. Costs about 48 bytes per distinct
 * chunk of the snapshot (with 1 MiB average chunks: 48 KiB per GiB of data).
 */
final class RefCollector {
    private final List<BlobId> ids = new ArrayList<>();
    private boolean sorted = true;

    void add(BlobId id) {
        if (!ids.isEmpty() && sorted && ids.get(ids.size() - 1).compareTo(id) > 0) {
            sorted = false;
        }
        ids.add(id);
        if (ids.size() >= 1 << 16 && ids.size() % (1 << 16) == 0) {
            compact();
        }
    }

    private void compact() {
        if (!sorted) {
            ids.sort(null);
            sorted = true;
        }
        int w = 0;
        for (int r = 0; r < ids.size(); r++) {
            if (w == 0 || !ids.get(w - 1).equals(ids.get(r))) {
                ids.set(w++, ids.get(r));
            }
        }
        ids.subList(w, ids.size()).clear();
    }

    Iterator<BlobId> sortedUnique() {
        compact();
        return ids.iterator();
    }

    /** Splits two ascending, unique streams into the ids only in {@code now} and those only in {@code before}. */
    static void difference(Iterator<BlobId> now, Iterator<BlobId> before, List<BlobId> added, List<BlobId> removed) {
        BlobId a = now.hasNext() ? now.next() : null;
        BlobId b = before.hasNext() ? before.next() : null;
        while (a != null || b != null) {
            int c = a == null ? 1 : b == null ? -1 : a.compareTo(b);
            if (c < 0) {
                added.add(a);
            } else if (c > 0) {
                removed.add(b);
            }
            if (c <= 0) {
                a = now.hasNext() ? now.next() : null;
            }
            if (c >= 0) {
                b = before.hasNext() ? before.next() : null;
            }
        }
    }

    int size() {
        compact();
        return ids.size();
    }
}
