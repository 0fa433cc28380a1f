package dev.sluice.engine.content;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The sealed part of a snapshot record: what the source recorded of the snapshot (version 2), the backed-up roots
 * (raw paths) and the ordered TREE blobs of its metadata stream. Only the key holder can read it.
 *
 * @param source the source's own job, host, time and parent, against which the clear header is checked; null in a
 *     version 1 payload (written before sluice sealed them)
 */
public record SnapshotPayload(List<byte[]> roots, List<BlobId> treeBlobs, Source source) {
    /** The kind byte bound into the seal of a payload, distinct from every blob kind. */
    public static final byte SEAL_KIND = 0x53;
    private static final int VERSION_WITHOUT_SOURCE = 1;
    private static final int VERSION = 2;
    private static final int MAX_ITEMS = 1 << 24;
    private static final int MAX_TEXT = 1024;

    /**
     * What the source recorded, sealed: a key-less holder can rewrite the clear header but not this. A sink
     * rewrites the header's host (to the peer's identity) and time (to its receipt time) on purpose; the job and
     * the parent it keeps.
     *
     * @param parent the parent snapshot, or null
     */
    public record Source(String job, String host, Instant time, SnapshotId parent) {
        public Source {
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(time, "time");
        }
    }

    public SnapshotPayload {
        roots = List.copyOf(roots);
        treeBlobs = List.copyOf(treeBlobs);
    }

    /**
     * Opens and decodes {@code record}'s payload and checks the record's clear header against what the source
     * sealed: the job and the parent must be the source's.
     *
     * @throws HeaderMismatchException naming each field a key-less holder changed
     * @throws IOException when the payload does not authenticate or decode
     */
    public static SnapshotPayload open(BlobCodec codec, SnapshotRecord record) throws IOException {
        SnapshotPayload payload = decode(codec.openPayload(record.refs(), record.sealedPayload()));
        Source s = payload.source();
        if (s == null) {
            return payload;
        }
        List<String> changed = new ArrayList<>();
        if (!s.job().equals(record.job())) {
            changed.add("job '" + record.job() + "', the source's is '" + s.job() + "'");
        }
        if (!Objects.equals(s.parent(), record.parent())) {
            changed.add("parent " + (record.parent() == null ? "none" : record.parent().shortHex())
                    + ", the source's is " + (s.parent() == null ? "none" : s.parent().shortHex()));
        }
        if (!changed.isEmpty()) {
            throw new HeaderMismatchException("its clear header was changed after the source sealed it: it names "
                    + String.join("; ", changed) + " (the source took it at " + s.time() + " on " + s.host() + ")");
        }
        return payload;
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (source == null) {
                out.writeByte(VERSION_WITHOUT_SOURCE);
            } else {
                out.writeByte(VERSION);
                text(out, source.job());
                text(out, source.host());
                out.writeLong(source.time().getEpochSecond());
                out.writeInt(source.time().getNano());
                out.writeByte(source.parent() == null ? 0 : 1);
                if (source.parent() != null) {
                    out.write(source.parent().bytes());
                }
            }
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
        if (version != VERSION && version != VERSION_WITHOUT_SOURCE) {
            throw new IOException("snapshot payload version " + version + " is not supported");
        }
        Source source = null;
        if (version == VERSION) {
            String job = text(in);
            String host = text(in);
            long seconds = in.readLong();
            int nanos = in.readInt();
            if (nanos < 0 || nanos > 999_999_999) {
                throw new IOException("snapshot payload damaged: nanoseconds " + nanos);
            }
            int hasParent = in.readUnsignedByte();
            if (hasParent > 1) {
                throw new IOException("snapshot payload damaged: parent flag " + hasParent);
            }
            SnapshotId parent = null;
            if (hasParent == 1) {
                byte[] id = new byte[32];
                in.readFully(id);
                parent = SnapshotId.of(id);
            }
            try {
                source = new Source(job, host, Instant.ofEpochSecond(seconds, nanos), parent);
            } catch (java.time.DateTimeException e) {
                throw new IOException("snapshot payload damaged: time " + seconds, e);
            }
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
        if (in.available() > 0) {
            throw new IOException("snapshot payload damaged: " + in.available() + " bytes after its end");
        }
        return new SnapshotPayload(roots, blobs, source);
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_TEXT) {
            throw new IllegalArgumentException("a sealed job or host name is at most " + MAX_TEXT + " bytes");
        }
        out.writeShort(b.length);
        out.write(b);
    }

    private static String text(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        if (n > MAX_TEXT) {
            throw new IOException("snapshot payload damaged: a name of " + n + " bytes");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static int count(int n) throws IOException {
        if (n < 0 || n > MAX_ITEMS) {
            throw new IOException("snapshot payload damaged: count " + n);
        }
        return n;
    }
}
