package dev.sluice.engine.content;

import dev.sluice.engine.repository.BlobId;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The sealed part of a snapshot record: the backed-up roots (raw paths) and the ordered
 * TREE blobs of its metadata stream. Only the key holder can read it.
 */
public record SnapshotPayload(List<byte[]> roots, List<BlobId> treeBlobs) {
    /** The kind byte bound into the seal of a payload, distinct from every blob kind. */
    public static final byte SEAL_KIND = 0x53;
    private static final int VERSION = 1;
    private static final int MAX_ITEMS = 1 << 24;

    public SnapshotPayload {
        roots = List.copyOf(roots);
        treeBlobs = List.copyOf(treeBlobs);
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeInt(roots.size());
            for (byte[] r : roots) {
                out.writeInt(r.length);
                out.write(r);
            }
            out.writeInt(treeBlobs.size());
            for (BlobId id : treeBlobs) {
                out.write(id.bytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static SnapshotPayload decode(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data));
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("snapshot payload version " + version + " is not supported");
        }
        int rootCount = count(in.readInt());
        List<byte[]> roots = new ArrayList<>(rootCount);
        for (int i = 0; i < rootCount; i++) {
            byte[] r = new byte[count(in.readInt())];
            in.readFully(r);
            roots.add(r);
        }
        int blobCount = count(in.readInt());
        List<BlobId> blobs = new ArrayList<>(blobCount);
        for (int i = 0; i < blobCount; i++) {
            byte[] id = new byte[32];
            in.readFully(id);
            blobs.add(BlobId.of(id));
        }
        return new SnapshotPayload(roots, blobs);
    }

    private static int count(int n) throws IOException {
        if (n < 0 || n > MAX_ITEMS) {
            throw new IOException("snapshot payload damaged: count " + n);
        }
        return n;
    }
}
