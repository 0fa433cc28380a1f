package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.SnapshotId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * PUT_REFS_DELTA (request id, last flag, parent snapshot id, u32 a, a added ids, u32 r, r removed ids), sent as one
 * or more parts with the same request id and parent; answered by REFS_STORED like PUT_REFS.
 */
public final class RefsDeltaCodec {
    /** Bytes of a part besides its ids: request id, last flag, parent id, two counts. */
    static final int OVERHEAD = 4 + 1 + SnapshotId.LENGTH + 4 + 4;

    private RefsDeltaCodec() {
    }

    /** A decoded PUT_REFS_DELTA part. */
    public record Part(int requestId, boolean last, SnapshotId parent, List<BlobId> added, List<BlobId> removed) {
        public Part {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
        }
    }

    /** How many ids (added and removed together) fit in one part under a frame limit. */
    public static int idsPerPart(int maxFrameLength) {
        return Math.max(1, Math.min(65536, (maxFrameLength - OVERHEAD) / BlobId.LENGTH));
    }

    public static byte[] part(int requestId, boolean last, SnapshotId parent, List<BlobId> added,
            List<BlobId> removed) {
        ByteBuffer b = ByteBuffer.allocate(OVERHEAD + (added.size() + removed.size()) * BlobId.LENGTH)
                .putInt(requestId).put((byte) (last ? 1 : 0)).put(parent.bytes()).putInt(added.size());
        added.forEach(id -> b.put(id.bytes()));
        b.putInt(removed.size());
        removed.forEach(id -> b.put(id.bytes()));
        return b.array();
    }

    public static Part decode(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.PUT_REFS_DELTA, payload);
        int requestId = r.requestId();
        int last = r.u8("last flag");
        if (last > 1) {
            throw r.malformed("last flag is " + last);
        }
        SnapshotId parent = SnapshotId.of(r.bytes(SnapshotId.LENGTH, "parent snapshot id"));
        List<BlobId> added = ids(r, "added");
        List<BlobId> removed = ids(r, "removed");
        r.end();
        return new Part(requestId, last == 1, parent, added, removed);
    }

    private static List<BlobId> ids(PayloadReader r, String which) throws ProtocolException {
        int n = r.count(which + " id count", BlobId.LENGTH);
        List<BlobId> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(r.blobId(which + " id " + i));
        }
        return ids;
    }
}
