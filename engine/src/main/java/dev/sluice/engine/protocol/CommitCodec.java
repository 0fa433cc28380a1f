package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.RepositoryException;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import java.nio.ByteBuffer;

/** COMMIT (request id, encoded snapshot record) and COMMITTED (request id, stored snapshot id). */
public final class CommitCodec {
    private CommitCodec() {
    }

    /** A decoded COMMIT. */
    public record Commit(int requestId, SnapshotRecord record) {
    }

    public static byte[] request(int requestId, SnapshotRecord record) {
        byte[] r = record.encode();
        return ByteBuffer.allocate(4 + r.length).putInt(requestId).put(r).array();
    }

    public static Commit decode(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.COMMIT, payload);
        int requestId = r.requestId();
        try {
            return new Commit(requestId, SnapshotRecord.decode(r.rest(), "the snapshot record of COMMIT " + requestId));
        } catch (RepositoryException e) {
            throw r.malformed(e.getMessage());
        }
    }

    public static byte[] committed(int requestId, SnapshotId id) {
        return ByteBuffer.allocate(4 + SnapshotId.LENGTH).putInt(requestId).put(id.bytes()).array();
    }

    public static SnapshotId decodeCommitted(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.COMMITTED, payload);
        r.requestId();
        SnapshotId id = SnapshotId.of(r.bytes(SnapshotId.LENGTH, "snapshot id"));
        r.end();
        return id;
    }
}
