package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.RefsIterator;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.sink.BlobSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The sink's side of one PUT_REFS_DELTA: collects the parts (ids added and removed, each strictly ascending, every
 * added id stored), then merges them with the parent's stored reference list in one streaming pass into a new list.
 * Memory holds the difference (32 bytes per changed id), never the parent's list.
 */
final class RefsDeltaMerge {
    private final int requestId;
    private final SnapshotRecord parent;
    private final ByteArrayOutputStream added = new ByteArrayOutputStream();
    private final ByteArrayOutputStream removed = new ByteArrayOutputStream();
    private byte[] lastAdded;
    private byte[] lastRemoved;

    /** @param parent one of the peer's own snapshots of the session's job (the caller checks) */
    RefsDeltaMerge(int requestId, SnapshotRecord parent) {
        this.requestId = requestId;
        this.parent = parent;
    }

    int requestId() {
        return requestId;
    }

    SnapshotRecord parent() {
        return parent;
    }

    /** Takes one part: ids ascending across parts, added ids stored at this sink. */
    void accept(RefsDeltaCodec.Part part, BlobSink sink) throws IOException {
        if (!part.parent().equals(parent.id())) {
            throw new ProtocolException(ErrorCode.MALFORMED, "PUT_REFS_DELTA part names parent "
                    + part.parent().shortHex() + " after parts naming " + parent.id().shortHex());
        }
        for (BlobId id : part.added()) {
            lastAdded = ascending(lastAdded, id, "added");
            if (!sink.has(id)) {
                throw new ProtocolException(ErrorCode.REFUSED, "the reference list delta adds blob " + id.shortHex()
                        + ", which this sink does not store; a snapshot may only reference stored blobs");
            }
            added.write(id.bytes(), 0, BlobId.LENGTH);
        }
        for (BlobId id : part.removed()) {
            lastRemoved = ascending(lastRemoved, id, "removed");
            removed.write(id.bytes(), 0, BlobId.LENGTH);
        }
    }

    private static byte[] ascending(byte[] last, BlobId id, String which) throws ProtocolException {
        byte[] raw = id.bytes();
        if (last != null && Arrays.compareUnsigned(last, raw) >= 0) {
            throw new ProtocolException(ErrorCode.MALFORMED, "the " + which + " ids of a reference list delta are not"
                    + " strictly ascending at " + id.shortHex());
        }
        return raw;
    }

    /**
     * Writes parent's list + added − removed as a new reference list and returns its id. Refuses (and writes
     * nothing) if an added id is in the parent's list already or a removed id is not in it.
     */
    BlobId finish(Repository repository, BlobSink sink) throws IOException {
        try (RefsIterator base = repository.readRefs(parent.refs())) {
            Merge merge = new Merge(base, added.toByteArray(), removed.toByteArray());
            try {
                return sink.putRefs(merge);
            } catch (Refused r) {
                throw new ProtocolException(ErrorCode.REFUSED, r.getMessage());
            }
        }
    }

    /** Thrown from inside the merge (an iterator cannot throw checked exceptions); the temporary list is dropped. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The merged, ascending ids: a three-way walk over the parent's list, the added ids and the removed ids. */
    private final class Merge implements Iterator<BlobId> {
        private final RefsIterator base;
        private final byte[] add;
        private final byte[] remove;
        private int addAt;
        private int removeAt;
        private BlobId baseHead;
        private BlobId next;

        Merge(RefsIterator base, byte[] add, byte[] remove) {
            this.base = base;
            this.add = add;
            this.remove = remove;
            this.baseHead = base.hasNext() ? base.next() : null;
        }

        private BlobId at(byte[] ids, int i) {
            return BlobId.of(Arrays.copyOfRange(ids, i, i + BlobId.LENGTH));
        }

        private void advanceBase() {
            baseHead = base.hasNext() ? base.next() : null;
        }

        private BlobId compute() {
            while (true) {
                BlobId a = addAt < add.length ? at(add, addAt) : null;
                BlobId r = removeAt < remove.length ? at(remove, removeAt) : null;
                if (r != null && (baseHead == null || r.compareTo(baseHead) < 0)) {
                    throw new Refused("the reference list delta removes blob " + r.shortHex() + ", which the"
                            + " reference list of parent snapshot " + parent.id().shortHex() + " does not have");
                }
                if (baseHead != null && r != null && r.equals(baseHead)) {
                    removeAt += BlobId.LENGTH;
                    if (a != null && a.equals(baseHead)) {
                        throw new Refused("the reference list delta both adds and removes blob " + a.shortHex());
                    }
                    advanceBase();
                    continue;
                }
                if (a != null && baseHead != null && a.equals(baseHead)) {
                    throw new Refused("the reference list delta adds blob " + a.shortHex() + ", which the reference"
                            + " list of parent snapshot " + parent.id().shortHex() + " has already");
                }
                if (a != null && (baseHead == null || a.compareTo(baseHead) < 0)) {
                    addAt += BlobId.LENGTH;
                    return a;
                }
                if (baseHead != null) {
                    BlobId out = baseHead;
                    advanceBase();
                    return out;
                }
                return null;
            }
        }

        @Override
        public boolean hasNext() {
            if (next == null) {
                next = compute();
            }
            return next != null;
        }

        @Override
        public BlobId next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            BlobId out = next;
            next = null;
            return out;
        }
    }
}
