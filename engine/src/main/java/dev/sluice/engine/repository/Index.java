package dev.sluice.engine.repository;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The in-memory map from blob id to pack location, compact enough for tens of millions of blobs.
 *
 * <p>Entries live in parallel primitive arrays in insertion order: the 32-byte ids in one byte
 * arena, the offset (unsigned 32 bits; packs stay below 4 GiB), the length, the pack ordinal
 * (an index into a table of pack ids) and the kind. An open-addressing table of {@code int}
 * (entry number + 1, 0 = empty, linear probing, load at most 3/4) finds an id by its first 8
 * bytes, which are uniformly distributed because ids are keyed hashes. That is 45 bytes per
 * entry plus 5.3 to 10.7 bytes of table, about 51 to 56 bytes when the arrays were sized for
 * the count, and up to 1.5 times the array part while they grow.
 *
 * <p>A blob that is added twice (it is in two packs) keeps its first location. All methods are
 * thread-safe (synchronized); iteration sees the entries present when each element is fetched.
 */
public final class Index implements Iterable<IndexEntry> {
    private static final int ID = BlobId.LENGTH;
    private static final int MAX_ENTRIES = Integer.MAX_VALUE / ID;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] ids;
    private int[] offsets;
    private int[] lengths;
    private int[] packOrdinals;
    private byte[] kinds;
    private int size;
    private int[] table;
    private final List<PackId> packs = new ArrayList<>();
    private final Map<PackId, Integer> packOrdinal = new HashMap<>();

    /** An empty index with room for a thousand entries. */
    public Index() {
        this(1024);
    }

    /** An empty index whose arrays are sized for {@code expectedEntries} (they grow beyond it). */
    public Index(int expectedEntries) {
        if (expectedEntries < 0 || expectedEntries > MAX_ENTRIES) {
            throw new IllegalArgumentException("expected entries must be between 0 and " + MAX_ENTRIES
                    + ", got " + expectedEntries);
        }
        int n = Math.max(16, expectedEntries);
        ids = new byte[n * ID];
        offsets = new int[n];
        lengths = new int[n];
        packOrdinals = new int[n];
        kinds = new byte[n];
        table = new int[tableCapacityFor(n)];
    }

    /** Adds an entry; returns false (and changes nothing) if the blob id is already present. */
    public synchronized boolean add(IndexEntry entry) {
        if (entry.offset() > PackFormat.MAX_DATA_END) {
            throw new IllegalArgumentException("blob " + entry.id().shortHex() + " has offset " + entry.offset()
                    + " in pack " + entry.pack().shortHex() + ", beyond the 4 GiB a pack may hold");
        }
        byte[] id = entry.id().raw();
        int mask = table.length - 1;
        int slot = slotOf(id, 0, mask);
        while (table[slot] != 0) {
            if (idEquals(table[slot] - 1, id)) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        if (size == MAX_ENTRIES) {
            throw new IllegalStateException("index is full: it holds at most " + MAX_ENTRIES + " entries");
        }
        ensureEntryCapacity(size + 1);
        int e = size++;
        System.arraycopy(id, 0, ids, e * ID, ID);
        offsets[e] = (int) entry.offset();
        lengths[e] = entry.length();
        packOrdinals[e] = ordinalOf(entry.pack());
        kinds[e] = entry.kind().code();
        if ((long) size * 4 > (long) table.length * 3) {
            rehash(table.length * 2);
        } else {
            table[slot] = e + 1;
        }
        return true;
    }

    /** The location of a blob, or null if no index lists it. */
    public synchronized IndexEntry lookup(BlobId id) {
        int e = find(id.raw());
        return e < 0 ? null : entry(e, id);
    }

    public synchronized boolean contains(BlobId id) {
        return find(id.raw()) >= 0;
    }

    /**
     * The entry number of a blob: its position in insertion order, from 0 to {@code size() - 1}, or -1 if
     * no index lists it. Entry numbers are stable for the life of this index (entries are never removed),
     * so a caller can keep per-entry facts in a bitmap or a primitive array (garbage collection does).
     */
    public synchronized int ordinal(BlobId id) {
        return find(id.raw());
    }

    /** The entry with number {@code ordinal} (see {@link #ordinal}). */
    public synchronized IndexEntry entryAt(int ordinal) {
        checkOrdinal(ordinal);
        return entry(ordinal, BlobId.read(ids, ordinal * ID));
    }

    /** The sealed length of entry {@code ordinal}. */
    public synchronized int lengthAt(int ordinal) {
        checkOrdinal(ordinal);
        return lengths[ordinal];
    }

    /** The pack number of entry {@code ordinal}: an index into {@link #packs()}, from 0 to {@code packCount() - 1}. */
    public synchronized int packOrdinalAt(int ordinal) {
        checkOrdinal(ordinal);
        return packOrdinals[ordinal];
    }

    /** The pack with number {@code packOrdinal} (see {@link #packOrdinalAt}). */
    public synchronized PackId packAt(int packOrdinal) {
        return packs.get(packOrdinal);
    }

    private void checkOrdinal(int ordinal) {
        if (ordinal < 0 || ordinal >= size) {
            throw new IndexOutOfBoundsException("index entry " + ordinal + " does not exist; the index holds "
                    + size + " entries");
        }
    }

    /** Number of distinct blob ids. */
    public synchronized int size() {
        return size;
    }

    /** Number of packs that hold at least one entry. */
    public synchronized int packCount() {
        return packs.size();
    }

    /** The packs that hold at least one entry, in the order they were first seen. */
    public synchronized List<PackId> packs() {
        return List.copyOf(packs);
    }

    public synchronized boolean containsPack(PackId pack) {
        return packOrdinal.containsKey(pack);
    }

    /** Bytes held by the arrays and the pack table (estimated at 128 bytes per pack). */
    public synchronized long estimatedBytes() {
        long arrays = (long) ids.length + 4L * offsets.length + 4L * lengths.length + 4L * packOrdinals.length
                + kinds.length + 4L * table.length;
        return arrays + 128L * packs.size();
    }

    /** Entries in insertion order. */
    @Override
    public Iterator<IndexEntry> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size();
            }

            @Override
            public IndexEntry next() {
                synchronized (Index.this) {
                    if (next >= size) {
                        throw new NoSuchElementException();
                    }
                    int e = next++;
                    return entry(e, BlobId.read(ids, e * ID));
                }
            }
        };
    }

    private IndexEntry entry(int e, BlobId id) {
        return new IndexEntry(id, BlobKind.fromCode(kinds[e]), packs.get(packOrdinals[e]),
                Integer.toUnsignedLong(offsets[e]), lengths[e]);
    }

    private int find(byte[] id) {
        int mask = table.length - 1;
        int slot = slotOf(id, 0, mask);
        while (table[slot] != 0) {
            int e = table[slot] - 1;
            if (idEquals(e, id)) {
                return e;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private boolean idEquals(int e, byte[] id) {
        return Arrays.equals(ids, e * ID, e * ID + ID, id, 0, ID);
    }

    private static int slotOf(byte[] source, int offset, int mask) {
        long h = (long) LONGS.get(source, offset);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    private int ordinalOf(PackId pack) {
        Integer ordinal = packOrdinal.get(pack);
        if (ordinal == null) {
            ordinal = packs.size();
            packs.add(pack);
            packOrdinal.put(pack, ordinal);
        }
        return ordinal;
    }

    private void ensureEntryCapacity(int needed) {
        if (needed <= kinds.length) {
            return;
        }
        int n = Math.min(MAX_ENTRIES, Math.max(needed, kinds.length + (kinds.length >> 1)));
        ids = Arrays.copyOf(ids, n * ID);
        offsets = Arrays.copyOf(offsets, n);
        lengths = Arrays.copyOf(lengths, n);
        packOrdinals = Arrays.copyOf(packOrdinals, n);
        kinds = Arrays.copyOf(kinds, n);
    }

    private void rehash(int capacity) {
        int[] fresh = new int[capacity];
        int mask = capacity - 1;
        for (int e = 0; e < size; e++) {
            int slot = slotOf(ids, e * ID, mask);
            while (fresh[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            fresh[slot] = e + 1;
        }
        table = fresh;
    }

    private static int tableCapacityFor(int entries) {
        long needed = ((long) entries * 4 + 2) / 3 + 1;
        long capacity = Long.highestOneBit(needed - 1) << 1;
        return (int) Math.min(1 << 30, Math.max(16, capacity));
    }
}
