package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.BlobId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** HAS (request id, n, n blob ids) and HAS_RESULT (request id, n, bitmap of ceil(n/8) bytes, bit i = id i present). */
public final class HasCodec {
    /** The most ids one HAS may carry. */
    public static final int MAX_IDS = 4096;

    private HasCodec() {
    }

    /** A decoded HAS. */
    public record Request(int requestId, List<BlobId> ids) {
    }

    public static byte[] request(int requestId, List<BlobId> ids) {
        if (ids.isEmpty() || ids.size() > MAX_IDS) {
            throw new IllegalArgumentException("a HAS carries 1.." + MAX_IDS + " ids, not " + ids.size());
        }
        ByteBuffer b = ByteBuffer.allocate(8 + ids.size() * BlobId.LENGTH).putInt(requestId).putInt(ids.size());
        ids.forEach(id -> b.put(id.bytes()));
        return b.array();
    }

    public static Request decodeRequest(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.HAS, payload);
        int id = r.requestId();
        int n = r.count("id count", BlobId.LENGTH);
        if (n < 1 || n > MAX_IDS) {
            throw r.malformed("id count " + n + " is outside 1.." + MAX_IDS);
        }
        List<BlobId> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(r.blobId("blob id " + i));
        }
        r.end();
        return new Request(id, ids);
    }

    public static byte[] result(int requestId, boolean[] present) {
        ByteBuffer b = ByteBuffer.allocate(8 + (present.length + 7) / 8).putInt(requestId).putInt(present.length);
        byte[] bits = new byte[(present.length + 7) / 8];
        for (int i = 0; i < present.length; i++) {
            if (present[i]) {
                bits[i >>> 3] |= (byte) (0x80 >>> (i & 7));
            }
        }
        return b.put(bits).array();
    }

    /** The bitmap of a HAS_RESULT, checked against the number of ids asked. */
    public static boolean[] decodeResult(byte[] payload, int asked) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.HAS_RESULT, payload);
        r.requestId();
        int n = r.i32("id count");
        if (n != asked) {
            throw r.malformed("answers " + n + " ids, but " + asked + " were asked");
        }
        byte[] bits = r.bytes((n + 7) / 8, "bitmap");
        r.end();
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            out[i] = (bits[i >>> 3] & (0x80 >>> (i & 7))) != 0;
        }
        return out;
    }
}
