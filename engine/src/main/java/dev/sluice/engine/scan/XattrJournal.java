package dev.sluice.engine.scan;

import dev.sluice.engine.fs.Xattr;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.Function;
import java.util.zip.CRC32C;

/**
 * Facts of the form "the inode (dev, ino) with change time ctime had these xattrs", recorded by path in one walk
 * and looked up by path in the next, so a walk over unchanged files need not open each of them to list its xattrs
 * (the JDK can list xattrs only through an open descriptor).
 *
 * <p>A fact stays true as long as the inode keeps its ctime: setting or removing an xattr moves ctime, and ctime
 * cannot be set from user space. So a lookup answers only when path, dev, ino and ctime all match, and the journal
 * is a cache: a stale, partial or missing journal costs speed, never correctness. It is read and written as a
 * stream in {@link PathOrder} (the order both a scan and a mirror run visit paths), so memory does not grow with
 * the number of files. A damaged journal is read up to the damage; the rest are misses.
 *
 * <p>Format: {@code "SLXJ" 01}, then per record: u8 1, varint shared-prefix length with the previous path,
 * varint suffix length, suffix, i64 dev, i64 ino, i64 ctime ns, varint xattr count, per xattr varint name length,
 * UTF-8 name, varint value length, value; then u8 0, i64 record count and the CRC32C of everything before it.
 * A new journal is written to a temporary file and renamed over the old one by {@link Writer#commit()}.
 */
public final class XattrJournal {
    private static final byte[] MAGIC = {'S', 'L', 'X', 'J', 1};
    private static final int MAX_PATH = 64 * 1024;
    private static final int MAX_XATTRS = 4096;
    private static final int MAX_NAME = 255;
    private static final int MAX_VALUE = 1 << 20;

    private XattrJournal() {
    }

    /** Reads the journal at {@code file}; a missing or unreadable file reads as empty. */
    public static Reader read(Path file) {
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (IOException e) {
            // missing (the first run) or unreadable: a cache that cannot be read only costs speed
            return new Reader(null);
        }
        return new Reader(new Input(in));
    }

    /** A reader that knows nothing. */
    public static Reader empty() {
        return new Reader(null);
    }

    /** Starts a new journal for {@code file} (in a temporary file next to it; the directory is created). */
    public static Writer write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(System.nanoTime()));
        return new Writer(file, tmp);
    }

    /**
     * One walk's use of a journal: reads the facts the last completed walk left at {@code file} and records this
     * walk's facts for the next; null {@code file} for none (nothing known, nothing kept).
     */
    public static Pass pass(Path file) {
        if (file == null) {
            return new Pass(empty(), null);
        }
        try {
            return new Pass(read(file), write(file));
        } catch (IOException e) {
            // the journal only saves time: a cache directory that cannot be written means none
            return new Pass(read(file), null);
        }
    }

    /** Something done to the walked tree between recording the facts and the next walk. */
    @FunctionalInterface
    public interface Change {
        void run() throws IOException;
    }

    /** The reading and the writing side of one walk; {@link #close()} without {@link #commit()} keeps the old facts. */
    public static final class Pass implements Closeable {
        private final Reader known;
        private Writer learned;

        private Pass(Reader known, Writer learned) {
            this.known = known;
            this.learned = learned;
        }

        /** See {@link Reader#find}. */
        public List<Xattr> find(byte[] path, long dev, long ino, long ctime) {
            return known.find(path, dev, ino, ctime);
        }

        /** See {@link Writer#add}; a fact that cannot be written is dropped (and so is the rest of the journal). */
        public void add(byte[] path, long dev, long ino, long ctime, List<Xattr> xattrs) {
            if (learned == null) {
                return;
            }
            try {
                learned.add(path, dev, ino, ctime, xattrs);
            } catch (IOException e) {
                close();
            }
        }

        /** Makes this walk's facts the journal; a journal that cannot be written only costs the next walk time. */
        public void commit() {
            known.close();
            if (learned != null) {
                try {
                    learned.commit();
                } catch (IOException e) {
                    // the next walk reads every file's xattrs again
                }
                learned = null;
            }
        }

        /**
         * Commits this walk's facts, then runs {@code change}, which moves the ctime of recorded inodes without
         * touching their xattrs (a receiver deleting an old snapshot drops a link of each inode the new tree shares
         * with it), and keeps the facts true across it: a fact whose path still led to the recorded dev, ino and
         * ctime right before {@code change} gets the ctime the file has after it; every other fact is dropped. Only
         * an xattr that a third party changes while {@code change} runs could hide behind a kept fact. Costs two
         * {@code stat} calls per fact and one bit of memory per fact.
         *
         * @param stat {@code {dev, ino, ctime}} of the file at a recorded path now, or null when there is none
         * @throws IOException from {@code change}; the journal then keeps this walk's facts as they were recorded
         *     (stale ones only cost the next walk time)
         */
        public void commitAround(Change change, Function<byte[], long[]> stat) throws IOException {
            Path file = learned == null ? null : learned.file;
            commit();
            if (file == null || !Files.isRegularFile(file)) {
                change.run();
                return;
            }
            BitSet unchanged = new BitSet();
            int n = 0;
            try (Reader before = read(file)) {
                while (before.next()) {
                    long[] now = stat.apply(before.path);
                    if (now != null && now[0] == before.dev && now[1] == before.ino && now[2] == before.ctime) {
                        unchanged.set(n);
                    }
                    n++;
                }
            }
            change.run();
            Writer after = null;
            try (Reader again = read(file)) {
                after = write(file);
                for (int i = 0; again.next(); i++) {
                    if (!unchanged.get(i)) {
                        continue;
                    }
                    long[] now = stat.apply(again.path);
                    if (now != null && now[0] == again.dev && now[1] == again.ino) {
                        after.add(again.path, again.dev, again.ino, now[2], again.xattrs);
                    }
                }
                after.commit();
            } catch (IOException | RuntimeException e) {
                // the facts as recorded stay: the next walk misses on the moved ctimes and reads those files
                if (after != null) {
                    after.close();
                }
            }
        }

        /** Drops this walk's facts unless committed; the previous journal stays. */
        @Override
        public void close() {
            known.close();
            if (learned != null) {
                try {
                    learned.close();
                } catch (IOException e) {
                    // nothing to keep
                }
                learned = null;
            }
        }
    }

    /** Looks facts up by path, in path order; not thread-safe. */
    public static final class Reader implements Closeable {
        private Input in;
        private byte[] path = new byte[0];
        private long dev;
        private long ino;
        private long ctime;
        private List<Xattr> xattrs;
        private boolean loaded;

        private Reader(Input in) {
            this.in = in;
            if (in != null) {
                try {
                    byte[] magic = new byte[MAGIC.length];
                    in.readFully(magic);
                    if (!Arrays.equals(magic, MAGIC)) {
                        stop();
                    }
                } catch (IOException e) {
                    stop();
                }
            }
        }

        /**
         * The xattrs of {@code path} if the journal has a fact for it with the same dev, ino and ctime; null when it
         * does not know. Paths must be asked in {@link PathOrder}; a path asked out of order is a miss.
         */
        public List<Xattr> find(byte[] path, long dev, long ino, long ctime) {
            while (in != null || loaded) {
                if (!loaded && !next()) {
                    return null;
                }
                int c = PathOrder.compare(this.path, path);
                if (c < 0) {
                    loaded = false;
                    continue;
                }
                if (c > 0) {
                    return null;
                }
                loaded = false;
                return this.dev == dev && this.ino == ino && this.ctime == ctime ? xattrs : null;
            }
            return null;
        }

        private boolean next() {
            try {
                int tag = in.readUnsignedByte();
                if (tag != 1) {
                    stop();
                    return false;
                }
                int shared = varint(in, path.length);
                int suffix = varint(in, MAX_PATH - shared);
                byte[] p = Arrays.copyOf(path, shared + suffix);
                in.readFully(p, shared, suffix);
                long d = in.readLong();
                long i = in.readLong();
                long c = in.readLong();
                int count = varint(in, MAX_XATTRS);
                List<Xattr> xs = count == 0 ? List.of() : new ArrayList<>(count);
                for (int k = 0; k < count; k++) {
                    byte[] name = new byte[varint(in, MAX_NAME)];
                    in.readFully(name);
                    byte[] value = new byte[varint(in, MAX_VALUE)];
                    in.readFully(value);
                    xs.add(new Xattr(new String(name, StandardCharsets.UTF_8), value));
                }
                path = p;
                dev = d;
                ino = i;
                ctime = c;
                xattrs = count == 0 ? xs : List.copyOf(xs);
                loaded = true;
                return true;
            } catch (IOException | IllegalArgumentException e) {
                stop();
                return false;
            }
        }

        private void stop() {
            loaded = false;
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // a cache that cannot be closed is simply not read further
                }
                in = null;
            }
        }

        @Override
        public void close() {
            stop();
        }
    }

    /** Records facts in path order; {@link #commit()} makes them the journal, close without commit drops them. */
    public static final class Writer implements Closeable {
        private final Path file;
        private final Path tmp;
        private final OutputStream out;
        private final CRC32C crc = new CRC32C();
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private byte[] last = new byte[0];
        private long records;
        private boolean done;

        private Writer(Path file, Path tmp) throws IOException {
            this.file = file;
            this.tmp = tmp;
            this.out = Files.newOutputStream(tmp);
            put(MAGIC, 0, MAGIC.length);
        }

        /** Records that {@code path} was the inode (dev, ino) with {@code ctime} and {@code xattrs}. */
        public void add(byte[] path, long dev, long ino, long ctime, List<Xattr> xattrs) throws IOException {
            if (done) {
                throw new IllegalStateException("journal " + file + " is already committed or dropped");
            }
            if (path.length > MAX_PATH || xattrs.size() > MAX_XATTRS) {
                return;
            }
            int shared = Arrays.mismatch(last, path);
            if (shared < 0) {
                return;
            }
            room(1 + 5 + 5 + 24 + 5);
            buf[pos++] = 1;
            putVarint(shared);
            putVarint(path.length - shared);
            put(path, shared, path.length - shared);
            room(24 + 5);
            putLong(dev);
            putLong(ino);
            putLong(ctime);
            putVarint(xattrs.size());
            for (Xattr x : xattrs) {
                byte[] name = x.name().getBytes(StandardCharsets.UTF_8);
                byte[] value = x.value();
                room(5);
                putVarint(name.length);
                put(name, 0, name.length);
                room(5);
                putVarint(value.length);
                put(value, 0, value.length);
            }
            last = path;
            records++;
        }

        /** Ends the journal and puts it in place of the previous one. */
        public void commit() throws IOException {
            if (done) {
                throw new IllegalStateException("journal " + file + " is already committed or dropped");
            }
            done = true;
            try {
                room(9);
                buf[pos++] = 0;
                putLong(records);
                drain();
                int sum = (int) crc.getValue();
                out.write(new byte[] {(byte) (sum >>> 24), (byte) (sum >>> 16), (byte) (sum >>> 8), (byte) sum});
                out.close();
                // removing the old journal first: ext4 flushes a file renamed over another one (auto_da_alloc),
                // which cost more than the rest of writing it; a crash in between only loses a cache
                Files.deleteIfExists(file);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
        }

        /** Drops the journal unless it was committed. */
        @Override
        public void close() throws IOException {
            if (done) {
                return;
            }
            done = true;
            try {
                out.close();
            } finally {
                Files.deleteIfExists(tmp);
            }
        }

        private void room(int n) throws IOException {
            if (pos + n > buf.length) {
                drain();
            }
        }

        private void drain() throws IOException {
            crc.update(buf, 0, pos);
            out.write(buf, 0, pos);
            pos = 0;
        }

        private void put(byte[] b, int off, int len) throws IOException {
            if (len > buf.length - pos) {
                drain();
                if (len > buf.length) {
                    crc.update(b, off, len);
                    out.write(b, off, len);
                    return;
                }
            }
            System.arraycopy(b, off, buf, pos, len);
            pos += len;
        }

        private void putLong(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        private void putVarint(int v) {
            while ((v & ~0x7f) != 0) {
                buf[pos++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }
    }

    /** A buffered input that reads the journal's numbers without a stream per call. */
    private static final class Input implements Closeable {
        private final InputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int lim;

        Input(InputStream in) {
            this.in = in;
        }

        int read() throws IOException {
            if (pos == lim && !fill()) {
                return -1;
            }
            return buf[pos++] & 0xff;
        }

        int readUnsignedByte() throws IOException {
            int b = read();
            if (b < 0) {
                throw new EOFException("the journal ends early");
            }
            return b;
        }

        long readLong() throws IOException {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | readUnsignedByte();
            }
            return v;
        }

        void readFully(byte[] b) throws IOException {
            readFully(b, 0, b.length);
        }

        void readFully(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (pos == lim && !fill()) {
                    throw new EOFException("the journal ends early");
                }
                int n = Math.min(len, lim - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
                off += n;
                len -= n;
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            lim = n;
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static int varint(Input in, int max) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("journal ends inside a number");
            }
            v |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (v < 0 || v > max) {
                    throw new IOException("journal number " + Integer.toUnsignedString(v) + " exceeds " + max);
                }
                return v;
            }
        }
        throw new IOException("journal number is too long");
    }

    /** The CRC32C a committed journal ends with, recomputed; used by tests to check the trailer. */
    static boolean trailerMatches(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 4) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        int stored = (all[all.length - 4] & 0xff) << 24 | (all[all.length - 3] & 0xff) << 16
                | (all[all.length - 2] & 0xff) << 8 | all[all.length - 1] & 0xff;
        return (int) crc.getValue() == stored;
    }
}
