package dev.sluice.engine.repository;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One stored snapshot: a clear header that the sink reads without the key (job, source host,
 * time, parent, counters, and the id of the reference list that retention and garbage
 * collection need) and a payload sealed by the source (names, the tree blob list).
 *
 * <p>The encoding (see {@link #encode()} and docs/repository.md) is canonical, so the snapshot's
 * id, the SHA-256 of the stored file, can be computed from the record at any time with {@link #id()}.
 */
public record SnapshotRecord(
        int version,
        String job,
        String host,
        Instant time,
        SnapshotId parent,
        long files,
        long dirs,
        long bytes,
        long addedBytes,
        long addedBlobs,
        BlobId refs,
        byte[] sealedPayload) {

    /** The only snapshot record version this code reads and writes. */
    public static final int CURRENT_VERSION = 1;
    /** Upper bound on the sealed payload, so a damaged length cannot make a reader allocate gigabytes. */
    public static final int MAX_PAYLOAD = 256 << 20;
    static final int MAX_TEXT_BYTES = 1024;
    private static final byte[] MAGIC = "SLSN".getBytes(StandardCharsets.US_ASCII);

    public SnapshotRecord {
        if (version != CURRENT_VERSION) {
            throw new IllegalArgumentException("unsupported snapshot version " + version
                    + " (this sluice supports version " + CURRENT_VERSION + ")");
        }
        checkText(job, "job");
        checkText(host, "host");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(refs, "refs");
        Objects.requireNonNull(sealedPayload, "sealedPayload");
        if (files < 0 || dirs < 0 || bytes < 0 || addedBytes < 0 || addedBlobs < 0) {
            throw new IllegalArgumentException("snapshot counters must not be negative: files " + files + ", dirs "
                    + dirs + ", bytes " + bytes + ", added bytes " + addedBytes + ", added blobs " + addedBlobs);
        }
        if (sealedPayload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("sealed payload of " + sealedPayload.length + " bytes exceeds the "
                    + MAX_PAYLOAD + " byte limit");
        }
        sealedPayload = sealedPayload.clone();
    }

    /** A record of the current version. */
    public static SnapshotRecord create(String job, String host, Instant time, SnapshotId parent, long files,
                                        long dirs, long bytes, long addedBytes, long addedBlobs, BlobId refs,
                                        byte[] sealedPayload) {
        return new SnapshotRecord(CURRENT_VERSION, job, host, time, parent, files, dirs, bytes, addedBytes,
                addedBlobs, refs, sealedPayload);
    }

    /** A copy of the sealed payload. */
    @Override
    public byte[] sealedPayload() {
        return sealedPayload.clone();
    }

    /** The id this record has once stored: the SHA-256 of {@link #encode()}. */
    public SnapshotId id() {
        return SnapshotId.of(Sha256.of(encode()));
    }

    /** The bytes of the snapshot file. */
    public byte[] encode() {
        byte[] jobBytes = job.getBytes(StandardCharsets.UTF_8);
        byte[] hostBytes = host.getBytes(StandardCharsets.UTF_8);
        int headerLength = 2 + jobBytes.length + 2 + hostBytes.length + 8 + 4 + 1
                + (parent == null ? 0 : SnapshotId.LENGTH) + 5 * 8 + BlobId.LENGTH;
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + headerLength + 4 + sealedPayload.length);
        b.put(MAGIC).put((byte) version).put((byte) 0).put((byte) 0).put((byte) 0);
        b.putInt(headerLength);
        b.putShort((short) jobBytes.length).put(jobBytes);
        b.putShort((short) hostBytes.length).put(hostBytes);
        b.putLong(time.getEpochSecond()).putInt(time.getNano());
        if (parent == null) {
            b.put((byte) 0);
        } else {
            b.put((byte) 1).put(parent.raw());
        }
        b.putLong(files).putLong(dirs).putLong(bytes).putLong(addedBytes).putLong(addedBlobs);
        b.put(refs.raw());
        b.putInt(sealedPayload.length).put(sealedPayload);
        return b.array();
    }

    /** Parses a snapshot file's bytes; {@code what} names the file in errors. */
    public static SnapshotRecord decode(byte[] data, String what) throws RepositoryException {
        ByteBuffer b = ByteBuffer.wrap(data);
        try {
            byte[] magic = new byte[4];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new RepositoryException(what + " is not a sluice snapshot record: wrong magic");
            }
            int version = b.get() & 0xff;
            if (version != CURRENT_VERSION) {
                throw new RepositoryException(what + " has unsupported snapshot version " + version
                        + " (this sluice reads version " + CURRENT_VERSION + ")");
            }
            if (b.get() != 0 || b.get() != 0 || b.get() != 0) {
                throw new RepositoryException(what + " is damaged: reserved header bytes are not zero");
            }
            int headerLength = b.getInt();
            int headerStart = b.position();
            String job = readText(b, what, "job");
            String host = readText(b, what, "host");
            long seconds = b.getLong();
            int nanos = b.getInt();
            int hasParent = b.get();
            SnapshotId parent;
            if (hasParent == 0) {
                parent = null;
            } else if (hasParent == 1) {
                byte[] p = new byte[SnapshotId.LENGTH];
                b.get(p);
                parent = SnapshotId.of(p);
            } else {
                throw new RepositoryException(what + " is damaged: parent flag is " + hasParent);
            }
            long files = b.getLong();
            long dirs = b.getLong();
            long bytes = b.getLong();
            long addedBytes = b.getLong();
            long addedBlobs = b.getLong();
            byte[] refs = new byte[BlobId.LENGTH];
            b.get(refs);
            if (b.position() - headerStart != headerLength) {
                throw new RepositoryException(what + " is damaged: clear header is " + (b.position() - headerStart)
                        + " bytes but declares " + headerLength);
            }
            int payloadLength = b.getInt();
            if (payloadLength < 0 || payloadLength != b.remaining()) {
                throw new RepositoryException(what + " is damaged: payload length " + payloadLength + " but "
                        + b.remaining() + " bytes follow (truncated?)");
            }
            byte[] payload = new byte[payloadLength];
            b.get(payload);
            if (nanos < 0 || nanos > 999_999_999) {
                throw new RepositoryException(what + " is damaged: invalid nanoseconds " + nanos);
            }
            Instant time;
            try {
                time = Instant.ofEpochSecond(seconds, nanos);
            } catch (RuntimeException e) {
                throw new RepositoryException(what + " is damaged: invalid time " + seconds + "s " + nanos + "ns", e);
            }
            return new SnapshotRecord(version, job, host, time, parent, files, dirs, bytes, addedBytes, addedBlobs,
                    BlobId.of(refs), payload);
        } catch (BufferUnderflowException e) {
            throw new RepositoryException(what + " is damaged: it ends too early (truncated?)", e);
        } catch (IllegalArgumentException e) {
            throw new RepositoryException(what + " is damaged: " + e.getMessage(), e);
        }
    }

    private static String readText(ByteBuffer b, String what, String field) throws RepositoryException {
        int length = b.getShort() & 0xffff;
        if (length > b.remaining()) {
            throw new RepositoryException(what + " is damaged: " + field + " length " + length + " exceeds the file");
        }
        ByteBuffer slice = b.slice();
        slice.limit(length);
        b.position(b.position() + length);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new RepositoryException(what + " is damaged: " + field + " is not valid UTF-8", e);
        }
    }

    private static void checkText(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("snapshot " + field + " must not be empty");
        }
        int n = value.getBytes(StandardCharsets.UTF_8).length;
        if (n > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("snapshot " + field + " is " + n + " bytes of UTF-8; at most "
                    + MAX_TEXT_BYTES + " are allowed");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isSurrogate(value.charAt(i)) && !validSurrogateAt(value, i)) {
                throw new IllegalArgumentException("snapshot " + field + " contains an unpaired surrogate");
            }
        }
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotRecord r && version == r.version && job.equals(r.job) && host.equals(r.host)
                && time.equals(r.time) && Objects.equals(parent, r.parent) && files == r.files && dirs == r.dirs
                && bytes == r.bytes && addedBytes == r.addedBytes && addedBlobs == r.addedBlobs
                && refs.equals(r.refs) && Arrays.equals(sealedPayload, r.sealedPayload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, job, host, time, parent, files, dirs, bytes, addedBytes, addedBlobs, refs)
                * 31 + Arrays.hashCode(sealedPayload);
    }

    @Override
    public String toString() {
        return "SnapshotRecord[job=" + job + ", host=" + host + ", time=" + time + ", parent="
                + (parent == null ? "none" : parent.shortHex()) + ", files=" + files + ", dirs=" + dirs + ", bytes="
                + bytes + ", addedBytes=" + addedBytes + ", addedBlobs=" + addedBlobs + ", refs=" + refs.shortHex()
                + ", payload=" + sealedPayload.length + " bytes]";
    }
}
