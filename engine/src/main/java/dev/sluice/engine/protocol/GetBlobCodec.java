package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.SnapshotId;
import java.nio.ByteBuffer;

/**
 * GET_BLOB (request id, blob id), READ_BLOB (request id, snapshot id, blob id) and their answer BLOB (request id,
 * length, sealed bytes).
 */
public final class GetBlobCodec {
    private GetBlobCodec() {
    }

    /** A decoded GET_BLOB. */
    public record Get(int requestId, BlobId id) {
    }

    public static byte[] request(int requestId, BlobId id) {
        return ByteBuffer.allocate(4 + BlobId.LENGTH).putInt(requestId).put(id.bytes()).array();
    }

    public static Get decode(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.GET_BLOB, payload);
        int requestId = r.requestId();
        BlobId id = r.blobId("blob id");
        r.end();
        return new Get(requestId, id);
    }

    /** A decoded READ_BLOB: a blob that the named snapshot must reference. */
    public record Read(int requestId, SnapshotId snapshot, BlobId id) {
    }

    public static byte[] readRequest(int requestId, SnapshotId snapshot, BlobId id) {
        return ByteBuffer.allocate(4 + SnapshotId.LENGTH + BlobId.LENGTH).putInt(requestId).put(snapshot.bytes())
                .put(id.bytes()).array();
    }

    public static Read decodeRead(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.READ_BLOB, payload);
        int requestId = r.requestId();
        SnapshotId snapshot = SnapshotId.of(r.bytes(SnapshotId.LENGTH, "snapshot id"));
        BlobId id = r.blobId("blob id");
        r.end();
        return new Read(requestId, snapshot, id);
    }

    public static byte[] blob(int requestId, byte[] sealed) {
        return ByteBuffer.allocate(8 + sealed.length).putInt(requestId).putInt(sealed.length).put(sealed).array();
    }

    public static byte[] decodeBlob(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.BLOB, payload);
        r.requestId();
        byte[] sealed = r.bytes(r.i32("blob length"), "sealed blob");
        r.end();
        return sealed;
    }
}
