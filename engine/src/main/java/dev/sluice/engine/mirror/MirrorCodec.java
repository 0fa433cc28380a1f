package dev.sluice.engine.mirror;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.Xattr;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.mirror.dest.MirrorTargetStats;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Encodes and decodes the payloads of the mirror protocol (docs/mirror.md). Decoders check every count and length
 * against the bytes that follow before allocating, and refuse trailing bytes, so a malformed payload is a MALFORMED
 * {@link ProtocolException}, never an allocation the sender chose.
 */
public final class MirrorCodec {
    /** The protocol version carried in OPEN. */
    public static final int VERSION = 3;
    /** Bytes of a chunk hash ({@link ChunkHash}, keyed per run). */
    public static final int HASH = ChunkHash.BYTES;
    /** Bytes of the whole-file digest in FILE_END ({@link ContentDigest}, SHA-256 over chunk and DATA records). */
    public static final int DIGEST = 32;
    /** Bytes of one BASIS item: u32 length and the hash. */
    static final int BASIS_ITEM = 4 + HASH;
    /** FILE_DONE status: the file was written from the delta and committed. */
    public static final int WRITTEN = 0;
    /** FILE_DONE status: the receiver's copy was equal (size and mtime) and kept. */
    public static final int KEPT = 1;
    /** FILE_DONE status: the sender could not read the file; nothing was committed. */
    public static final int DROPPED = 2;
    static final int OP_COPY = 1;
    static final int OP_DATA = 2;

    private static final int MAX_XATTRS = 4096;
    /** Largest decompressed ENTRY batch a receiver accepts (a sender stays near 64 KiB). */
    static final int MAX_ENTRY_BATCH = 4 << 20;

    private MirrorCodec() {
    }

    // ---- OPEN / OPENED ------------------------------------------------------------------------------

    /** What the sender asks for: a target by name and the options of this run. */
    public record Open(int version, String target, MirrorOptions.Layout layout, boolean delete,
            boolean deleteExcluded, boolean fakeSuper, int keepSnapshots, List<byte[]> protect) {
        public Open {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(layout, "layout");
            protect = List.copyOf(protect);
        }
    }

    public static byte[] open(Open o) {
        return write(out -> {
            out.writeByte(o.version());
            writeShort(out, o.target().getBytes(StandardCharsets.UTF_8), "target name");
            out.writeByte(o.layout() == MirrorOptions.Layout.IN_PLACE ? 1 : 2);
            out.writeByte((o.delete() ? 1 : 0) | (o.deleteExcluded() ? 2 : 0) | (o.fakeSuper() ? 4 : 0));
            out.writeInt(o.keepSnapshots());
            out.writeShort(o.protect().size());
            for (byte[] p : o.protect()) {
                writeShort(out, p, "exclude pattern");
            }
        });
    }

    public static Open decodeOpen(byte[] payload) throws ProtocolException {
        WireReader r = new WireReader(MirrorMessage.OPEN, payload);
        int version = r.u8("version");
        if (version != VERSION) {
            throw new ProtocolException(ErrorCode.REFUSED, "the sender speaks mirror protocol version " + version
                    + ", this receiver speaks version " + VERSION);
        }
        String target = r.text("target name");
        int layout = r.u8("layout");
        if (layout != 1 && layout != 2) {
            throw r.malformed("layout " + layout + " is neither 1 (in-place) nor 2 (snapshots)");
        }
        int flags = r.u8("flags");
        if ((flags & ~7) != 0) {
            throw r.malformed("unknown flag bits 0x" + Integer.toHexString(flags & ~7));
        }
        int keep = r.u32("keep_snapshots");
        if (keep < 0) {
            throw r.malformed("keep_snapshots " + Integer.toUnsignedString(keep) + " is out of range");
        }
        int n = r.u16("pattern count");
        List<byte[]> protect = new ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
            protect.add(r.shortBytes("exclude pattern " + i));
        }
        r.end();
        return new Open(version, target, layout == 1 ? MirrorOptions.Layout.IN_PLACE : MirrorOptions.Layout.SNAPSHOTS,
                (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, keep, protect);
    }

    /** The receiver's answer to OPEN: how many files may be in flight, and the run's chunk hash key. */
    public record Opened(int maxFilesInFlight, byte[] hashKey) {
        public Opened {
            if (hashKey.length != ChunkHash.KEY_BYTES) {
                throw new IllegalArgumentException("a chunk hash key has " + ChunkHash.KEY_BYTES + " bytes, not "
                        + hashKey.length);
            }
        }
    }

    public static byte[] opened(Opened o) {
        return ByteBuffer.allocate(2 + ChunkHash.KEY_BYTES).putShort((short) o.maxFilesInFlight()).put(o.hashKey())
                .array();
    }

    public static Opened decodeOpened(byte[] payload) throws ProtocolException {
        WireReader r = new WireReader(MirrorMessage.OPENED, payload);
        int n = r.u16("files in flight");
        byte[] key = r.bytes(ChunkHash.KEY_BYTES, "chunk hash key");
        r.end();
        if (n < 1) {
            throw r.malformed("the receiver allows 0 files in flight");
        }
        return new Opened(n, key);
    }

    // ---- ENTRY --------------------------------------------------------------------------------------

    /**
     * One scanned entry. {@code fileId} numbers the regular files that carry content (1, 2, 3, ...) and is 0 for
     * every other entry, including hardlinks; {@code hardlinkTo} is the earlier path of the same inode, or null.
     */
    public record Entry(int fileId, byte[] path, FileMeta meta, byte[] hardlinkTo) {
        public Entry {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(meta, "meta");
        }
    }

    /** An ENTRY message holding the given entries, encoded on their own (no state from earlier messages). */
    public static byte[] entry(Entry... entries) {
        EntryWriter w = new EntryWriter();
        for (Entry e : entries) {
            w.add(e);
        }
        return w.take();
    }

    /**
     * Builds ENTRY messages: a u16 count, then each entry compactly, its path sharing a prefix with the previous
     * entry's and its mode, uid and gid left out when equal to the previous entry's (docs/mirror.md). One writer
     * per run: the state carries over from one message to the next, as in the receiver's {@link EntryReader}.
     */
    public static final class EntryWriter {
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(4096);
        private final DataOutputStream out = new DataOutputStream(buf);
        private int count;
        private byte[] prevPath = new byte[0];
        private int prevMode = -1;
        private int prevUid = -1;
        private int prevGid = -1;
        private boolean first = true;

        /** Entries in the message being built. */
        public int count() {
            return count;
        }

        /** Bytes of the message being built. */
        public int size() {
            return buf.size() + 2;
        }

        public void add(Entry e) {
            FileMeta m = e.meta();
            byte[] path = e.path();
            try {
                int shared = 0;
                int max = Math.min(path.length, prevPath.length);
                while (shared < max && path[shared] == prevPath[shared]) {
                    shared++;
                }
                boolean sameMode = !first && m.mode() == prevMode;
                boolean sameUid = !first && m.uid() == prevUid;
                boolean sameGid = !first && m.gid() == prevGid;
                byte[] target = m.linkTarget();
                List<Xattr> xattrs = m.xattrs();
                int flags = (sameMode ? 1 : 0) | (sameUid ? 2 : 0) | (sameGid ? 4 : 0) | (target != null ? 8 : 0)
                        | (e.hardlinkTo() != null ? 16 : 0) | (!xattrs.isEmpty() ? 32 : 0) | (m.rdev() != 0 ? 64 : 0)
                        | (m.nlink() != 1 ? 128 : 0);
                varint(out, e.fileId() & 0xffffffffL);
                varint(out, shared);
                varint(out, path.length - shared);
                out.write(path, shared, path.length - shared);
                out.writeByte(m.kind().ordinal() + 1);
                out.writeByte(flags);
                if (!sameMode) {
                    varint(out, m.mode());
                }
                if (!sameUid) {
                    varint(out, m.uid() & 0xffffffffL);
                }
                if (!sameGid) {
                    varint(out, m.gid() & 0xffffffffL);
                }
                varint(out, m.size());
                out.writeLong(m.mtimeNanos());
                long d = m.atimeNanos() - m.mtimeNanos();
                varint(out, (d << 1) ^ (d >> 63));
                if (m.rdev() != 0) {
                    varint(out, m.rdev());
                }
                if (m.nlink() != 1) {
                    varint(out, m.nlink());
                }
                if (target != null) {
                    varint(out, target.length);
                    out.write(target);
                }
                if (e.hardlinkTo() != null) {
                    varint(out, e.hardlinkTo().length);
                    out.write(e.hardlinkTo());
                }
                if (!xattrs.isEmpty()) {
                    varint(out, xattrs.size());
                    for (Xattr x : xattrs) {
                        byte[] name = x.name().getBytes(StandardCharsets.UTF_8);
                        varint(out, name.length);
                        out.write(name);
                        byte[] v = x.value();
                        varint(out, v.length);
                        out.write(v);
                    }
                }
            } catch (IOException impossible) {
                throw new UncheckedIOException(impossible);
            }
            count++;
            first = false;
            prevPath = path;
            prevMode = m.mode();
            prevUid = m.uid();
            prevGid = m.gid();
        }

        /**
         * The ENTRY payload of the entries added since the last take: u8 0 and the entries, or u8 1, u32 their
         * length and the entries compressed with zstd (level 3) when that is smaller.
         */
        public byte[] take() {
            byte[] body = buf.toByteArray();
            byte[] raw = ByteBuffer.allocate(2 + body.length).putShort((short) count).put(body).array();
            buf.reset();
            count = 0;
            if (raw.length >= 256) {
                byte[] packed = com.github.luben.zstd.Zstd.compress(raw, 3);
                if (packed.length + 4 < raw.length) {
                    return ByteBuffer.allocate(5 + packed.length).put((byte) 1).putInt(raw.length).put(packed).array();
                }
            }
            return ByteBuffer.allocate(1 + raw.length).put((byte) 0).put(raw).array();
        }
    }

    /** Decodes ENTRY messages of one run (the counterpart of {@link EntryWriter}, with its state). */
    public static final class EntryReader {
        /** The kinds by wire number minus one ({@code values()} copies the array on every call). */
        private static final FileKind[] KINDS = FileKind.values();
        private final int maxPath;
        private byte[] prevPath = new byte[0];
        private int prevMode;
        private int prevUid;
        private int prevGid;
        private boolean first = true;

        /** @param maxPath the longest path accepted (a longer one is MALFORMED before it is allocated) */
        public EntryReader(int maxPath) {
            this.maxPath = maxPath;
        }

        public List<Entry> decode(byte[] payload) throws ProtocolException {
            WireReader outer = new WireReader(MirrorMessage.ENTRY, payload);
            int encoding = outer.u8("encoding");
            byte[] raw;
            if (encoding == 0) {
                raw = outer.bytes(payload.length - 1, "entries");
            } else if (encoding == 1) {
                int length = outer.u32("entries length");
                if (length < 3 || length > MAX_ENTRY_BATCH) {
                    throw outer.malformed("compressed entries of " + Integer.toUnsignedString(length) + " bytes; at most "
                            + MAX_ENTRY_BATCH);
                }
                raw = new byte[length];
                long got;
                try {
                    got = com.github.luben.zstd.Zstd.decompressByteArray(raw, 0, length, payload, 5,
                            payload.length - 5);
                } catch (RuntimeException e) {
                    throw outer.malformed("the compressed entries do not decompress: " + e.getMessage());
                }
                if (com.github.luben.zstd.Zstd.isError(got) || got != length) {
                    throw outer.malformed("the compressed entries do not decompress to the " + length
                            + " bytes announced");
                }
            } else {
                throw outer.malformed("unknown encoding " + encoding);
            }
            WireReader r = new WireReader(MirrorMessage.ENTRY, raw);
            int n = r.u16("entry count");
            if (n == 0) {
                throw r.malformed("no entry");
            }
            List<Entry> out = new ArrayList<>(Math.min(n, 1024));
            for (int i = 0; i < n; i++) {
                try {
                    out.add(one(r));
                } catch (ProtocolException e) {
                    // the fields' names carry no entry number: no message text is built per field of every entry
                    throw new ProtocolException(e.code(), e.getMessage() + " (entry " + i + " of the message)");
                }
            }
            r.end();
            return out;
        }

        private Entry one(WireReader r) throws ProtocolException {
            long id = r.varint("file id");
            if (id > 0xffffffffL) {
                throw r.malformed("file id " + id + " is out of range");
            }
            int shared = r.smallVarint("shared path bytes", prevPath.length);
            int suffix = r.smallVarint("path bytes", maxPath - shared);
            byte[] path = new byte[shared + suffix];
            System.arraycopy(prevPath, 0, path, 0, shared);
            System.arraycopy(r.bytes(suffix, "path"), 0, path, shared, suffix);
            int kindNumber = r.u8("kind");
            if (kindNumber < 1 || kindNumber > KINDS.length) {
                throw r.malformed("kind " + kindNumber + " is not a file type");
            }
            FileKind kind = KINDS[kindNumber - 1];
            int flags = r.u8("flags");
            if (first && (flags & 7) != 0) {
                throw r.malformed("the first entry of a run refers to a previous entry's mode, uid or gid");
            }
            int mode = (flags & 1) != 0 ? prevMode : (int) r.smallVarint("mode", 07777);
            int uid = (flags & 2) != 0 ? prevUid : (int) r.varint32("uid");
            int gid = (flags & 4) != 0 ? prevGid : (int) r.varint32("gid");
            long size = r.varint("size");
            long mtime = r.u64("mtime");
            long z = r.varint64("atime");
            long atime = mtime + ((z >>> 1) ^ -(z & 1));
            long rdev = (flags & 64) != 0 ? r.varint("rdev") : 0;
            long nlink = (flags & 128) != 0 ? r.varint("nlink") : 1;
            byte[] target = null;
            if ((flags & 8) != 0) {
                target = r.bytes(r.smallVarint("symlink target length", 65535), "symlink target");
            }
            byte[] hardlink = null;
            if ((flags & 16) != 0) {
                hardlink = r.bytes(r.smallVarint("hardlink path length", maxPath), "hardlink path");
            }
            List<Xattr> xattrs = new ArrayList<>();
            if ((flags & 32) != 0) {
                int nx = r.smallVarint("xattr count", MAX_XATTRS);
                for (int x = 0; x < nx; x++) {
                    byte[] name = r.bytes(r.smallVarint("xattr name length", 255), "xattr name");
                    byte[] value = r.bytes(r.smallVarint("xattr value length", 1 << 20), "xattr value");
                    xattrs.add(newXattr(r, name, value));
                }
            }
            if (id != 0 && (kind != FileKind.REGULAR || hardlink != null)) {
                throw r.malformed("file id " + id + " on an entry that carries no content");
            }
            FileMeta meta;
            try {
                meta = new FileMeta(kind, mode, uid, gid, size, mtime, atime, 0, 0, 0, nlink, rdev, target, xattrs);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw r.malformed(e.getMessage());
            }
            first = false;
            prevPath = path;
            prevMode = mode;
            prevUid = uid;
            prevGid = gid;
            return new Entry((int) id, path, meta, hardlink);
        }

        private static Xattr newXattr(WireReader r, byte[] name, byte[] value) throws ProtocolException {
            try {
                String n = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(name)).toString();
                return new Xattr(n, value);
            } catch (java.nio.charset.CharacterCodingException | IllegalArgumentException e) {
                throw r.malformed("an xattr name is not a valid UTF-8 namespace.name");
            }
        }
    }

    private static void varint(DataOutputStream out, long v) throws IOException {
        while ((v & ~0x7fL) != 0) {
            out.writeByte((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    // ---- BASIS --------------------------------------------------------------------------------------

    /** A part of the receiver's chunk list of one file: {@code lengths[i]} and {@code hashes[i*16 .. +16]}. */
    public record BasisPart(int fileId, boolean last, int[] lengths, byte[] hashes) {
    }

    /** Items per BASIS part that fit a frame of {@code maxFrame} bytes. */
    static int basisItemsPerPart(int maxFrame) {
        return Math.max(1, (maxFrame - 9) / BASIS_ITEM);
    }

    public static byte[] basis(int fileId, boolean last, int[] lengths, byte[] hashes, int from, int to) {
        ByteBuffer b = ByteBuffer.allocate(9 + (to - from) * BASIS_ITEM);
        b.putInt(fileId).put((byte) (last ? 1 : 0)).putInt(to - from);
        for (int i = from; i < to; i++) {
            b.putInt(lengths[i]).put(hashes, i * HASH, HASH);
        }
        return b.array();
    }

    public static BasisPart decodeBasis(byte[] payload) throws ProtocolException {
        WireReader r = new WireReader(MirrorMessage.BASIS, payload);
        int fileId = r.u32("file id");
        int last = r.u8("last");
        if (last > 1) {
            throw r.malformed("last flag " + last);
        }
        int n = r.count("chunk count", BASIS_ITEM);
        int[] lengths = new int[n];
        byte[] hashes = new byte[n * HASH];
        for (int i = 0; i < n; i++) {
            lengths[i] = r.u32("chunk length");
            if (lengths[i] <= 0 || lengths[i] > MirrorChunking.PARAMS.max()) {
                throw r.malformed("chunk " + i + " has length " + Integer.toUnsignedString(lengths[i]) + "; chunks have"
                        + " 1 to " + MirrorChunking.PARAMS.max() + " bytes");
            }
            System.arraycopy(r.bytes(HASH, "chunk hash"), 0, hashes, i * HASH, HASH);
        }
        r.end();
        return new BasisPart(fileId, last == 1, lengths, hashes);
    }

    // ---- DELTA --------------------------------------------------------------------------------------

    /** What a DELTA's operations do, in order. */
    public interface DeltaSink {
        void copy(long basisOffset, long length) throws IOException;

        void data(ByteBuffer bytes) throws IOException;
    }

    /** Finds the file a DELTA names. */
    public interface DeltaFiles {
        DeltaSink apply(int fileId) throws IOException;
    }

    /** Reads the file id of a DELTA and applies its operations to {@code sink} (whose file the id selects). */
    public static void decodeDelta(byte[] payload, DeltaFiles sinkOf) throws IOException {
        decodeDelta(ByteBuffer.wrap(payload), sinkOf);
    }

    /**
     * As {@link #decodeDelta(byte[], DeltaFiles)} over {@code payload}'s remaining bytes, which may be a view of a
     * received (direct) buffer: DATA reaches the sink as views of it, valid only during the call.
     */
    public static void decodeDelta(ByteBuffer payload, DeltaFiles sinkOf) throws IOException {
        WireReader r = new WireReader(MirrorMessage.DELTA, payload);
        int fileId = r.u32("file id");
        DeltaSink sink = sinkOf.apply(fileId);
        int n = r.count("operation count", 5);
        for (int i = 0; i < n; i++) {
            int op = r.u8("operation code");
            if (op == OP_COPY) {
                long off = r.length("copy offset");
                int len = r.u32("copy length");
                if (len <= 0) {
                    throw r.malformed("copy length " + Integer.toUnsignedString(len));
                }
                sink.copy(off, len);
            } else if (op == OP_DATA) {
                int len = r.u32("data length");
                if (len <= 0) {
                    throw r.malformed("data length " + Integer.toUnsignedString(len));
                }
                sink.data(r.view(len, "data"));
            } else {
                throw r.malformed("operation " + i + " has unknown code " + op);
            }
        }
        r.end();
    }

    /** Collects COPY and DATA operations of one file into DELTA payloads of at most {@code maxPayload} bytes. */
    static final class DeltaWriter {
        private final int fileId;
        private final ByteBuffer buf;
        private final ContentDigest digest;
        private int ops;
        private long copyOffset = -1;
        private long copyLength;

        /**
         * A writer of {@code fileId}'s DELTA payloads of at most {@code maxPayload} bytes that adds each DATA operation
         * it writes to {@code digest} (the digest follows the operations on the wire; COPY records are the caller's,
         * one per basis chunk, see {@link ContentDigest}).
         */
        DeltaWriter(int fileId, int maxPayload, ContentDigest digest) {
            this.fileId = fileId;
            this.buf = ByteBuffer.allocate(maxPayload);
            this.digest = digest;
            reset();
        }

        private void reset() {
            buf.clear();
            buf.putInt(fileId).putInt(0);
            ops = 0;
        }

        /** Adds a COPY, merged with the previous one when it continues it; returns full payloads to send. */
        void copy(long offset, long length, List<byte[]> ready) {
            if (copyOffset >= 0 && copyOffset + copyLength == offset && copyLength + length <= Integer.MAX_VALUE) {
                copyLength += length;
                return;
            }
            flushCopy(ready);
            copyOffset = offset;
            copyLength = length;
        }

        private void flushCopy(List<byte[]> ready) {
            if (copyOffset < 0) {
                return;
            }
            if (buf.remaining() < 13) {
                ready.add(take());
            }
            buf.put((byte) OP_COPY).putLong(copyOffset).putInt((int) copyLength);
            ops++;
            copyOffset = -1;
        }

        /**
         * Adds DATA; a piece of at most one chunk ({@code MirrorChunking.PARAMS.max()}) that fits an empty payload stays
         * one operation (a new payload is started for it), so the receiver sees each sent chunk as one DATA.
         */
        void data(byte[] data, int off, int len, List<byte[]> ready) {
            data(data, off, len, null, ready);
        }

        /**
         * As {@link #data(byte[], int, int, List)} for a chunk whose {@link ChunkHash} the caller has computed already
         * ({@code hash}, or null): when the chunk stays one operation, the digest takes that hash instead of hashing the
         * bytes again.
         */
        void data(byte[] data, int off, int len, byte[] hash, List<byte[]> ready) {
            flushCopy(ready);
            if (len <= MirrorChunking.PARAMS.max() && buf.remaining() < len + 5 && ops > 0
                    && buf.capacity() >= 8 + 5 + len) {
                ready.add(take());
            }
            while (len > 0) {
                if (buf.remaining() < 6) {
                    ready.add(take());
                }
                int n = Math.min(len, buf.remaining() - 5);
                buf.put((byte) OP_DATA).putInt(n).put(data, off, n);
                ops++;
                if (hash != null && n == len && n <= ContentDigest.PIECE) {
                    digest.data(n, hash, 0);
                } else {
                    digest.data(data, off, n);
                }
                hash = null;
                off += n;
                len -= n;
            }
        }

        /** Flushes what is left. */
        void finish(List<byte[]> ready) {
            flushCopy(ready);
            if (ops > 0) {
                ready.add(take());
            }
        }

        private byte[] take() {
            buf.putInt(4, ops);
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            reset();
            return out;
        }
    }

    // ---- FILE_END / FILE_DONE -----------------------------------------------------------------------

    /** The end of a file: complete with its length and content digest, or dropped (the sender could not read it). */
    public record FileEnd(int fileId, boolean complete, long length, byte[] sha256) {
    }

    public static byte[] fileEnd(FileEnd e) {
        ByteBuffer b = ByteBuffer.allocate(13 + DIGEST);
        b.putInt(e.fileId()).put((byte) (e.complete() ? 1 : 0)).putLong(e.length());
        b.put(e.complete() ? e.sha256() : new byte[DIGEST]);
        return b.array();
    }

    public static FileEnd decodeFileEnd(byte[] payload) throws ProtocolException {
        WireReader r = new WireReader(MirrorMessage.FILE_END, payload);
        int fileId = r.u32("file id");
        int complete = r.u8("complete");
        if (complete > 1) {
            throw r.malformed("complete flag " + complete);
        }
        long length = r.length("length");
        byte[] hash = r.bytes(DIGEST, "content digest");
        r.end();
        return new FileEnd(fileId, complete == 1, length, hash);
    }

    /** FILE_DONE for one file; {@link #joinFileDone} packs several into one message. */
    public static byte[] fileDone(int fileId, int status) {
        return ByteBuffer.allocate(FILE_DONE_ITEM).putInt(fileId).put((byte) status).array();
    }

    /** Bytes of one (u32 file id, u8 status) pair of FILE_DONE. */
    public static final int FILE_DONE_ITEM = 5;

    /** One FILE_DONE holding the pairs of {@code parts} (each a FILE_DONE payload), in order. */
    public static byte[] joinFileDone(List<byte[]> parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    /**
     * FILE_DONE as {@code {fileId0, status0, fileId1, status1, ...}}: one or more pairs, for files in the order
     * the receiver finished them.
     */
    public static int[] decodeFileDone(byte[] payload) throws ProtocolException {
        WireReader r = new WireReader(MirrorMessage.FILE_DONE, payload);
        if (payload.length == 0 || payload.length % FILE_DONE_ITEM != 0) {
            throw r.malformed(payload.length + " bytes are not whole (file id, status) pairs");
        }
        int[] out = new int[payload.length / FILE_DONE_ITEM * 2];
        for (int i = 0; i < out.length; i += 2) {
            out[i] = r.u32("file id");
            out[i + 1] = r.u8("status");
            if (out[i + 1] > DROPPED) {
                throw r.malformed("status " + out[i + 1]);
            }
        }
        r.end();
        return out;
    }

    // ---- END / DONE ---------------------------------------------------------------------------------

    public static byte[] end(long entries) {
        return ByteBuffer.allocate(8).putLong(entries).array();
    }

    public static long decodeEnd(byte[] payload) throws ProtocolException {
        WireReader r = new WireReader(MirrorMessage.END, payload);
        long n = r.length("entry count");
        r.end();
        return n;
    }

    public static byte[] done(MirrorTargetStats s) {
        return write(out -> {
            writeShort(out, s.finalTree().getBytes(StandardCharsets.UTF_8), "final tree");
            out.writeLong(s.filesWritten());
            out.writeLong(s.filesKept());
            out.writeLong(s.bytesWritten());
            out.writeLong(s.bytesCopiedFromBasis());
            out.writeLong(s.entriesDeleted());
        });
    }

    public static MirrorTargetStats decodeDone(byte[] payload) throws ProtocolException {
        WireReader r = new WireReader(MirrorMessage.DONE, payload);
        String tree = r.text("final tree");
        MirrorTargetStats s = new MirrorTargetStats(tree, r.length("files written"), r.length("files kept"),
                r.length("bytes written"), r.length("bytes copied"), r.length("entries deleted"));
        r.end();
        return s;
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeShort(DataOutputStream out, byte[] b, String field) throws IOException {
        if (b.length > 0xffff) {
            throw new IllegalArgumentException(field + " is " + b.length + " bytes, more than 65535");
        }
        out.writeShort(b.length);
        out.write(b);
    }
}
