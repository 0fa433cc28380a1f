package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.BlobId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * PUT_REFS (request id, last flag, n, n ids), sent as one or more parts with the same request id,
 * and REFS_STORED (request id, reference list id).
 */
public final class RefsCodec {
    private RefsCodec() {
    }

    /** A decoded PUT_REFS part. */
    public record Part(int requestId, boolean last, List<BlobId> ids) {
    }

    /** How many ids fit in one part under a frame limit. */
    public static int idsPerPart(int maxFrameLength) {
        return Math.max(1, Math.min(65536, (maxFrameLength - 9) / BlobId.LENGTH));
    }

    public static byte[] part(int requestId, boolean last, List<BlobId> ids) {
        ByteBuffer b = ByteBuffer.allocate(9 + ids.size() * BlobId.LENGTH).putInt(requestId)
                .put((byte) (last ? 1 : 0)).putInt(ids.size());
        ids.forEach(id -> b.put(id.bytes()));
        return b.array();
    }

    public static Part decodePart(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.PUT_REFS, payload);
        int requestId = r.requestId();
        int last = r.u8("last flag");
        if (last > 1) {
            throw r.malformed("last flag is " + last);
        }
        int n = r.count("id count", BlobId.LENGTH);
        List<BlobId> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(r.blobId("blob id " + i));
        }
        r.end();
        return new Part(requestId, last == 1, ids);
    }

    public static byte[] stored(int requestId, BlobId refs) {
        return ByteBuffer.allocate(4 + BlobId.LENGTH).putInt(requestId).put(refs.bytes()).array();
    }

    public static BlobId decodeStored(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.REFS_STORED, payload);
        r.requestId();
        BlobId id = r.blobId("reference list id");
        r.end();
        return id;
    }
}
