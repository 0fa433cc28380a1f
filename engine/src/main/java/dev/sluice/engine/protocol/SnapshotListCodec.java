package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.RepositoryException;
import dev.sluice.engine.repository.SnapshotRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * SNAPSHOTS, the answer to LIST_SNAPSHOTS: one or more parts (request id, last flag, n, n × (length, encoded
 * record)), each under the frame limit.
 */
public final class SnapshotListCodec {
    private static final int HEADER = 4 + 1 + 4;

    private SnapshotListCodec() {
    }

    /** A decoded part. */
    public record Part(int requestId, boolean last, List<SnapshotRecord> records) {
    }

    /** The parts for these records; at least one (an empty listing is one empty last part). */
    public static List<byte[]> parts(int requestId, List<SnapshotRecord> records, int maxFrameLength) {
        List<byte[]> out = new ArrayList<>();
        List<byte[]> current = new ArrayList<>();
        int size = HEADER;
        for (SnapshotRecord rec : records) {
            byte[] e = rec.encode();
            if (HEADER + 4 + e.length > maxFrameLength) {
                throw new IllegalArgumentException("snapshot record " + rec.id().shortHex() + " of " + e.length
                        + " bytes does not fit in a frame of " + maxFrameLength + " bytes");
            }
            if (size + 4 + e.length > maxFrameLength) {
                out.add(part(requestId, false, current));
                current = new ArrayList<>();
                size = HEADER;
            }
            current.add(e);
            size += 4 + e.length;
        }
        out.add(part(requestId, true, current));
        return out;
    }

    private static byte[] part(int requestId, boolean last, List<byte[]> encoded) {
        int size = HEADER;
        for (byte[] e : encoded) {
            size += 4 + e.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(requestId).put((byte) (last ? 1 : 0)).putInt(encoded.size());
        encoded.forEach(e -> b.putInt(e.length).put(e));
        return b.array();
    }

    public static Part decode(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.SNAPSHOTS, payload);
        int requestId = r.requestId();
        int last = r.u8("last flag");
        if (last > 1) {
            throw r.malformed("last flag is " + last);
        }
        int n = r.count("record count", 4);
        List<SnapshotRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] e = r.bytes(r.i32("record " + i + " length"), "record " + i);
            try {
                records.add(SnapshotRecord.decode(e, "snapshot record " + i + " of the listing"));
            } catch (RepositoryException ex) {
                throw r.malformed(ex.getMessage());
            }
        }
        r.end();
        return new Part(requestId, last == 1, records);
    }
}
