package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import java.nio.ByteBuffer;

/** PUT (request id, kind, blob id, length, sealed bytes) and PUT_DONE (request id, stored flag). */
public final class PutCodec {
    /** Bytes of a PUT besides the sealed blob. */
    public static final int OVERHEAD = 4 + 1 + BlobId.LENGTH + 4;

    private PutCodec() {
    }

    /** A decoded PUT. */
    public record Put(int requestId, BlobKind kind, BlobId id, byte[] sealed) {
    }

    public static byte[] request(int requestId, BlobId id, BlobKind kind, byte[] sealed) {
        return ByteBuffer.allocate(OVERHEAD + sealed.length).putInt(requestId).put(kind.code()).put(id.bytes())
                .putInt(sealed.length).put(sealed).array();
    }

    public static Put decode(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.PUT, payload);
        int requestId = r.requestId();
        int code = r.u8("kind");
        BlobKind kind;
        try {
            kind = BlobKind.fromCode((byte) code);
        } catch (IllegalArgumentException e) {
            throw r.malformed("unknown blob kind " + code);
        }
        BlobId id = r.blobId("blob id");
        byte[] sealed = r.bytes(r.i32("blob length"), "sealed blob");
        r.end();
        return new Put(requestId, kind, id, sealed);
    }

    public static byte[] done(int requestId, boolean stored) {
        return ByteBuffer.allocate(5).putInt(requestId).put((byte) (stored ? 1 : 0)).array();
    }

    /** True if the sink stored the blob, false if it had it already. */
    public static boolean decodeDone(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.PUT_DONE, payload);
        r.requestId();
        int flag = r.u8("stored flag");
        r.end();
        if (flag > 1) {
            throw r.malformed("stored flag is " + flag);
        }
        return flag == 1;
    }
}
