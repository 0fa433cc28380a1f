package dev.sluice.engine.repository;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A backup repository on a local file system, without any key: packs of sealed blobs, index
 * files, reference lists, snapshot records, opaque key material, locks.
 *
 * <p>{@link #open} loads every index file and also reads the trailers of packs that no index
 * lists (left by an interrupted backup), so data that already arrived is reused. Problems that
 * do not prevent work (a damaged index file, a pack with an unreadable trailer) are collected in
 * {@link #openProblems()} instead of failing. Thread-safe.
 */
public final class Repository implements Closeable {
    /** Open pack channels kept for {@link #readBlob}; older ones are closed. */
    static final int MAX_OPEN_PACKS = 32;
    private static final long MAX_CONFIG_SIZE = 64 << 10;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HEX2 = Pattern.compile("[0-9a-f]{2}");
    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final RepositoryLayout layout;
    private final RepositorySettings settings;
    private final Index index;
    private final List<String> openProblems;
    private final List<PackInfo> unindexedPacks;
    private final PackChannels channels = new PackChannels();

    private Repository(RepositoryLayout layout, RepositorySettings settings, Index index, List<String> openProblems,
                       List<PackInfo> unindexedPacks) {
        this.layout = layout;
        this.settings = settings;
        this.index = index;
        this.openProblems = List.copyOf(openProblems);
        this.unindexedPacks = List.copyOf(unindexedPacks);
    }

    /** Creates a repository in {@code root}, which must not exist or be an empty directory. */
    public static Repository init(Path root, RepositorySettings settings) throws IOException {
        if (Files.exists(root)) {
            if (!Files.isDirectory(root)) {
                throw new RepositoryException("cannot create a repository at " + root + ": it is not a directory");
            }
            try (Stream<Path> s = Files.list(root)) {
                if (s.findAny().isPresent()) {
                    throw new RepositoryException("cannot create a repository in " + root
                            + ": the directory is not empty");
                }
            }
        }
        RepositoryLayout layout = new RepositoryLayout(root);
        Files.createDirectories(root);
        for (Path dir : List.of(layout.keys(), layout.data(), layout.index(), layout.refs(), layout.snapshots(),
                layout.locks(), layout.tmp())) {
            Files.createDirectory(dir);
        }
        AtomicFile.write(layout.tmp(), layout.config(), settings.encode().getBytes(StandardCharsets.UTF_8));
        AtomicFile.syncDirectory(root);
        return new Repository(layout, settings, new Index(), List.of(), List.of());
    }

    /** Opens an existing repository, loading its index. */
    public static Repository open(Path root) throws IOException {
        if (!Files.exists(root)) {
            throw new RepositoryException("repository " + root + " does not exist");
        }
        if (!Files.isDirectory(root)) {
            throw new RepositoryException("repository " + root + " is not a directory");
        }
        RepositoryLayout layout = new RepositoryLayout(root);
        Path config = layout.config();
        if (!Files.isRegularFile(config)) {
            throw new RepositoryException(root + " is not a sluice repository: it has no config file");
        }
        if (Files.size(config) > MAX_CONFIG_SIZE) {
            throw new RepositoryException("config " + config + " is damaged: it is larger than " + MAX_CONFIG_SIZE
                    + " bytes");
        }
        RepositorySettings settings = RepositorySettings.decode(Files.readString(config, StandardCharsets.UTF_8),
                config.toString());
        List<String> problems = new ArrayList<>();
        Set<PackId> packFiles = new HashSet<>(listPacks(layout, problems));
        Index index = new Index();
        Set<PackId> indexed = new HashSet<>();
        for (String name : listIndexFiles(layout, problems)) {
            Path file = layout.indexFile(name);
            try {
                IndexFile.verify(file, name);
                IndexFile.read(file, name, pack -> {
                    if (!packFiles.contains(pack.id())) {
                        problems.add("index file " + name + " lists pack " + pack.id().hex()
                                + ", which is not in data/; its " + pack.entries().size() + " blobs are unavailable");
                        return;
                    }
                    indexed.add(pack.id());
                    for (IndexEntry e : pack.entries()) {
                        index.add(e);
                    }
                });
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        List<PackInfo> unindexed = new ArrayList<>();
        for (PackId pack : sorted(packFiles)) {
            if (indexed.contains(pack)) {
                continue;
            }
            try (PackReader reader = PackReader.open(layout.pack(pack), pack)) {
                PackInfo info = reader.info();
                unindexed.add(info);
                for (IndexEntry e : info.entries()) {
                    index.add(e);
                }
            } catch (IOException e) {
                problems.add("pack " + pack.hex() + " is listed in no index and its trailer is unreadable: "
                        + e.getMessage());
            }
        }
        return new Repository(layout, settings, index, problems, unindexed);
    }

    public Path root() {
        return layout.root();
    }

    public RepositoryLayout layout() {
        return layout;
    }

    public RepositorySettings settings() {
        return settings;
    }

    /** The in-memory index (all index files, packs found without an index, and every commit since open). */
    public Index index() {
        return index;
    }

    /** Non-fatal problems found by {@link #open}: damaged index files, unreadable pack trailers, stray files. */
    public List<String> openProblems() {
        return openProblems;
    }

    /**
     * Packs found in {@code data/} that no index file lists (an interrupted backup); their blobs are in
     * {@link #index()}. Passing them to {@link #commitIndex} records them durably.
     */
    public List<PackInfo> unindexedPacks() {
        return unindexedPacks;
    }

    /** A writer for a new pack; finish it, then record it with {@link #commitIndex}. */
    public PackWriter newPackWriter() throws IOException {
        return new PackWriter(layout);
    }

    /** Writes one index file listing {@code packs} and adds their entries to the in-memory index. */
    public void commitIndex(List<PackInfo> packs) throws IOException {
        if (packs.isEmpty()) {
            return;
        }
        for (PackInfo pack : packs) {
            if (!Files.isRegularFile(layout.pack(pack.id()))) {
                throw new RepositoryException("cannot index pack " + pack.id().hex() + ": "
                        + layout.pack(pack.id()) + " does not exist");
            }
        }
        IndexFile.write(layout, packs);
        for (PackInfo pack : packs) {
            for (IndexEntry e : pack.entries()) {
                index.add(e);
            }
        }
    }

    /** The sealed bytes of a blob listed in the index. */
    public byte[] readBlob(BlobId id) throws IOException {
        IndexEntry entry = index.lookup(id);
        if (entry == null) {
            throw new RepositoryException("blob " + id.hex() + " is not in the index of repository " + root());
        }
        return readBlob(entry);
    }

    /** The sealed bytes at an index entry's location, read with a positional read from a cached channel. */
    public byte[] readBlob(IndexEntry entry) throws IOException {
        PackChannels.Handle handle = channels.acquire(entry.pack());
        try {
            ByteBuffer b = ByteBuffer.allocate(entry.length());
            PackReader.readFully(handle.channel, b, entry.offset(), "pack " + entry.pack().hex() + " (reading blob "
                    + entry.id().hex() + ")");
            return b.array();
        } finally {
            channels.release(handle);
        }
    }

    /** Stores a reference list; the ids must be strictly ascending. Returns its id (the file's SHA-256). */
    public BlobId writeRefs(Iterator<BlobId> sortedUniqueIds) throws IOException {
        return RefsFormat.write(layout, sortedUniqueIds);
    }

    /** Starts a reference list that is written as its ids arrive (strictly ascending); see {@link RefsWriter}. */
    public RefsWriter refsWriter() throws IOException {
        return RefsWriter.open(layout);
    }

    /** Verifies a reference list completely, then streams its ids; close the iterator if not read to the end. */
    public RefsIterator readRefs(BlobId refsId) throws IOException {
        return RefsFormat.read(layout, refsId);
    }

    /** A constant-memory membership test over a reference list, verified when opened; the caller closes it. */
    public RefsLookup refsLookup(BlobId refsId) throws IOException {
        return RefsLookup.open(layout, refsId);
    }

    /** Stores a snapshot record (after its packs, index and reference list) and returns its id. */
    public SnapshotId writeSnapshot(SnapshotRecord record) throws IOException {
        if (!RefsFormat.exists(layout, record.refs())) {
            throw new RepositoryException("snapshot of job '" + record.job() + "' refers to reference list "
                    + record.refs().hex() + ", which is not in the repository; write it first");
        }
        byte[] bytes = record.encode();
        SnapshotId id = SnapshotId.of(Sha256.of(bytes));
        AtomicFile.write(layout.tmp(), layout.snapshotFile(id), bytes);
        return id;
    }

    /** Reads one snapshot and checks that its content matches its id. */
    public SnapshotRecord readSnapshot(SnapshotId id) throws IOException {
        Path file = layout.snapshotFile(id);
        String what = "snapshot " + id.hex() + " (" + file + ")";
        byte[] bytes;
        try {
            if (Files.size(file) > SnapshotRecord.MAX_PAYLOAD + (64L << 10)) {
                throw new RepositoryException(what + " is damaged: it is larger than any snapshot record");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new RepositoryException(what + " does not exist", e);
        }
        SnapshotId actual = SnapshotId.of(Sha256.of(bytes));
        if (!actual.equals(id)) {
            throw new RepositoryException(what + " is damaged: its content hashes to " + actual.hex());
        }
        return SnapshotRecord.decode(bytes, what);
    }

    /** Every readable snapshot (oldest first), and a problem for each file that could not be read. */
    public SnapshotListing listSnapshots() throws IOException {
        List<SnapshotRecord> records = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String name : listNames(layout.snapshots())) {
            if (!HEX64.matcher(name).matches()) {
                problems.add("unexpected file in snapshots/: " + name);
                continue;
            }
            try {
                records.add(readSnapshot(SnapshotId.fromHex(name)));
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        records.sort(Comparator.comparing(SnapshotRecord::time).thenComparing(SnapshotRecord::id));
        return new SnapshotListing(records, problems);
    }

    /** The readable snapshots, oldest first (see {@link #listSnapshots()} for the unreadable ones). */
    public List<SnapshotRecord> snapshots() throws IOException {
        return listSnapshots().snapshots();
    }

    /** The snapshot whose id is, or starts with, {@code idOrPrefix} (hexadecimal, either case). */
    public SnapshotRecord snapshot(String idOrPrefix) throws IOException {
        String prefix = idOrPrefix.toLowerCase(java.util.Locale.ROOT);
        if (!Hex.isLowerHex(prefix) || prefix.length() > 64) {
            throw new RepositoryException("'" + idOrPrefix + "' is not a snapshot id or id prefix (1 to 64"
                    + " hexadecimal digits)");
        }
        List<String> matches = new ArrayList<>();
        for (String name : listNames(layout.snapshots())) {
            if (HEX64.matcher(name).matches() && name.startsWith(prefix)) {
                matches.add(name);
            }
        }
        if (matches.isEmpty()) {
            throw new RepositoryException("no snapshot id starts with '" + idOrPrefix + "' in repository " + root());
        }
        if (matches.size() > 1) {
            throw new RepositoryException("snapshot prefix '" + idOrPrefix + "' is ambiguous: it matches "
                    + matches.size() + " snapshots (" + String.join(", ", matches.subList(0, Math.min(5,
                    matches.size()))) + (matches.size() > 5 ? ", ..." : "") + "); give more digits");
        }
        return readSnapshot(SnapshotId.fromHex(matches.get(0)));
    }

    /** Stores opaque key material under {@code keys/<name>}; refuses to replace an existing file. */
    public void writeKeyMaterial(String name, byte[] material) throws IOException {
        Path file = keyFile(name);
        if (Files.exists(file)) {
            throw new RepositoryException("key material '" + name + "' already exists (" + file
                    + "); refusing to replace it");
        }
        AtomicFile.write(layout.tmp(), file, material);
    }

    /** The key material stored under {@code name}, or empty if there is none. */
    public Optional<byte[]> readKeyMaterial(String name) throws IOException {
        Path file = keyFile(name);
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Names of the stored key material files, sorted. */
    public List<String> keyMaterialNames() throws IOException {
        return listNames(layout.keys()).stream().filter(n -> KEY_NAME.matcher(n).matches()).toList();
    }

    // ---- operations for garbage collection (exclusive lock; never offered to a source peer) --------------

    /** A writer for one index file listing {@code packCount} packs, streamed; see {@link IndexWriter}. */
    public IndexWriter newIndexWriter(int packCount) throws IOException {
        return new IndexWriter(layout, packCount);
    }

    /** Names (64 hex digits) of the files in {@code index/}, sorted; stray names are left out. */
    public List<String> indexFileNames() throws IOException {
        return listIndexFiles(layout, new ArrayList<>());
    }

    /** The packs present in {@code data/}, sorted; stray names are left out. */
    public List<PackId> packFiles() throws IOException {
        List<PackId> packs = new ArrayList<>(listPacks(layout, new ArrayList<>()));
        packs.sort(null);
        return packs;
    }

    /** Ids of the files in {@code refs/}, sorted; stray names are left out. */
    public List<BlobId> refsFiles() throws IOException {
        List<BlobId> ids = new ArrayList<>();
        for (String name : listNames(layout.refs())) {
            if (HEX64.matcher(name).matches()) {
                ids.add(BlobId.fromHex(name));
            }
        }
        return ids;
    }

    /** Names of the files in {@code tmp/}, sorted. */
    public List<String> tmpFiles() throws IOException {
        return listNames(layout.tmp());
    }

    /**
     * Deletes snapshot records and makes the deletion durable; returns the bytes freed. Only garbage
     * collection, holding the exclusive lock, calls this: the sink never offers deletion to a source.
     */
    public long deleteSnapshots(Collection<SnapshotId> ids) throws IOException {
        return deleteFiles(ids.stream().map(layout::snapshotFile).toList());
    }

    /** Deletes reference lists (durably); returns the bytes freed. */
    public long deleteRefs(Collection<BlobId> ids) throws IOException {
        return deleteFiles(ids.stream().map(layout::refsFile).toList());
    }

    /** Deletes index files by name (durably); returns the bytes freed. The in-memory index is not changed. */
    public long deleteIndexFiles(Collection<String> names) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String name : names) {
            if (!HEX64.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + name + "' is not an index file name");
            }
            files.add(layout.indexFile(name));
        }
        return deleteFiles(files);
    }

    /** Deletes packs (durably); returns the bytes freed. The in-memory index is not changed: reopen afterwards. */
    public long deletePacks(Collection<PackId> packs) throws IOException {
        return deleteFiles(packs.stream().map(layout::pack).toList());
    }

    /** Deletes leftover files in {@code tmp/} by name (durably); returns the bytes freed. */
    public long deleteTmpFiles(Collection<String> names) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String name : names) {
            if (name.contains("/") || name.equals("..") || name.equals(".")) {
                throw new IllegalArgumentException("'" + name + "' is not a file name");
            }
            files.add(layout.tmp().resolve(name));
        }
        return deleteFiles(files);
    }

    /** Size of a pack file in bytes. */
    public long packSize(PackId pack) throws IOException {
        return Files.size(layout.pack(pack));
    }

    private static long deleteFiles(List<Path> files) throws IOException {
        long freed = 0;
        Set<Path> dirs = new java.util.LinkedHashSet<>();
        for (Path file : files) {
            try {
                long size = Files.size(file);
                Files.delete(file);
                freed += size;
            } catch (NoSuchFileException gone) {
                // already deleted (by an earlier, interrupted run): nothing to free
            }
            dirs.add(file.toAbsolutePath().getParent());
        }
        for (Path dir : dirs) {
            AtomicFile.syncDirectory(dir);
        }
        return freed;
    }

    /** Takes a lock on this repository (see {@link RepositoryLock}). */
    public RepositoryLock lock(RepositoryLock.Mode mode, RepositoryLock.Owner owner, Clock clock) throws IOException {
        return RepositoryLock.acquire(layout, mode, owner, clock);
    }

    /** Closes the cached pack channels. */
    @Override
    public void close() throws IOException {
        channels.closeAll();
    }

    private Path keyFile(String name) {
        if (name == null || !KEY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("key material name '" + name + "' must be 1-64 characters of"
                    + " A-Z a-z 0-9 . _ - and start with a letter or digit");
        }
        return layout.keys().resolve(name);
    }

    /** File names in {@code dir}, sorted; an absent directory is empty. */
    static List<String> listNames(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Pack ids of the files in {@code data/xx/}; stray files become problems. */
    static List<PackId> listPacks(RepositoryLayout layout, List<String> problems) throws IOException {
        List<PackId> packs = new ArrayList<>();
        for (String dir : listNames(layout.data())) {
            Path sub = layout.data().resolve(dir);
            if (!HEX2.matcher(dir).matches() || !Files.isDirectory(sub)) {
                problems.add("unexpected entry in data/: " + dir);
                continue;
            }
            for (String name : listNames(sub)) {
                if (HEX64.matcher(name).matches() && name.startsWith(dir)) {
                    packs.add(PackId.fromHex(name));
                } else {
                    problems.add("unexpected file in data/" + dir + "/: " + name);
                }
            }
        }
        return packs;
    }

    static List<String> listIndexFiles(RepositoryLayout layout, List<String> problems) throws IOException {
        List<String> names = new ArrayList<>();
        for (String name : listNames(layout.index())) {
            if (HEX64.matcher(name).matches()) {
                names.add(name);
            } else {
                problems.add("unexpected file in index/: " + name);
            }
        }
        return names;
    }

    private static List<PackId> sorted(Set<PackId> ids) {
        List<PackId> list = new ArrayList<>(ids);
        list.sort(null);
        return list;
    }

    /** A bounded, least-recently-used set of open pack channels shared by concurrent readers. */
    private final class PackChannels {
        private final Map<PackId, Handle> open = new LinkedHashMap<>(16, 0.75f, true);

        private final class Handle {
            final FileChannel channel;
            int users;
            boolean evicted;

            Handle(FileChannel channel) {
                this.channel = channel;
            }
        }

        synchronized Handle acquire(PackId pack) throws IOException {
            Handle h = open.get(pack);
            if (h == null) {
                Path file = layout.pack(pack);
                try {
                    h = new Handle(FileChannel.open(file, StandardOpenOption.READ));
                } catch (NoSuchFileException e) {
                    throw new RepositoryException("pack " + pack.hex() + " does not exist (" + file + ")", e);
                }
                open.put(pack, h);
                Iterator<Handle> it = open.values().iterator();
                while (open.size() > MAX_OPEN_PACKS && it.hasNext()) {
                    Handle eldest = it.next();
                    it.remove();
                    eldest.evicted = true;
                    if (eldest.users == 0) {
                        eldest.channel.close();
                    }
                }
            }
            h.users++;
            return h;
        }

        synchronized void release(Handle h) throws IOException {
            h.users--;
            if (h.evicted && h.users == 0) {
                h.channel.close();
            }
        }

        synchronized void closeAll() throws IOException {
            IOException failure = null;
            for (Handle h : open.values()) {
                h.evicted = true;
                if (h.users == 0) {
                    try {
                        h.channel.close();
                    } catch (IOException e) {
                        if (failure == null) {
                            failure = e;
                        } else {
                            failure.addSuppressed(e);
                        }
                    }
                }
            }
            open.clear();
            if (failure != null) {
                throw failure;
            }
        }
    }
}
