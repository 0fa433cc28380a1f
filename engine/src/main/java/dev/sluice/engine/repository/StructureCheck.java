package dev.sluice.engine.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks the structure of a repository without the key: pack hashes and trailers, index files
 * against the packs, snapshot records and their reference lists against the index. Memory stays
 * bounded by one pack trailer and one index file's pack at a time, plus the repository's index.
 *
 * <p>It cannot check what only the key reveals (that a blob decrypts, that its id matches its
 * plaintext, that the tree is complete); that is the data check's job.
 */
public final class StructureCheck {
    /** Missing blobs listed per snapshot before the rest are only counted. */
    static final int MAX_LISTED_PER_SNAPSHOT = 20;

    private final Repository repository;
    private final RepositoryLayout layout;
    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<PackId, List<BlobId>> damaged = new TreeMap<>();

    private StructureCheck(Repository repository) {
        this.repository = repository;
        this.layout = repository.layout();
    }

    /** Runs every check and returns the report; only I/O failures of the repository's directories throw. */
    public static StructureReport run(Repository repository) throws IOException {
        StructureCheck check = new StructureCheck(repository);
        Set<PackId> packs = check.checkPacks();
        check.checkIndexFiles(packs);
        check.checkSnapshots();
        check.checkLeftovers();
        check.fillDamagedFromIndex();
        return new StructureReport(check.problems, check.notes, check.damaged);
    }

    private Set<PackId> checkPacks() throws IOException {
        List<PackId> packs = Repository.listPacks(layout, problems);
        for (PackId pack : packs) {
            Path file = layout.pack(pack);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                PackId actual = PackReader.hashFile(ch, ch.size());
                if (!actual.equals(pack)) {
                    problems.add("pack " + pack.hex() + " is damaged: its content hashes to " + actual.hex()
                            + " (" + file + ")");
                    damaged.put(pack, new ArrayList<>());
                }
            } catch (IOException e) {
                problems.add("pack " + pack.hex() + " cannot be read: " + e.getMessage());
                damaged.put(pack, new ArrayList<>());
                continue;
            }
            try (PackReader reader = PackReader.open(file, pack)) {
                if (damaged.containsKey(pack)) {
                    damaged.get(pack).addAll(reader.entries().stream().map(IndexEntry::id).toList());
                }
            } catch (IOException e) {
                problems.add(e.getMessage());
                damaged.putIfAbsent(pack, new ArrayList<>());
            }
        }
        return new HashSet<>(packs);
    }

    private void checkIndexFiles(Set<PackId> packFiles) throws IOException {
        Set<PackId> indexed = new HashSet<>();
        for (String name : Repository.listIndexFiles(layout, problems)) {
            Path file = layout.indexFile(name);
            try {
                IndexFile.verify(file, name);
                IndexFile.read(file, name, pack -> {
                    indexed.add(pack.id());
                    try {
                        checkIndexedPack(name, pack, packFiles);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        for (PackId pack : packFiles) {
            if (!indexed.contains(pack) && !damaged.containsKey(pack)) {
                notes.add("pack " + pack.hex() + " is listed in no index file (left by an interrupted backup?);"
                        + " its blobs are usable and the next index commit or rebuild records them");
            }
        }
    }

    private void checkIndexedPack(String indexName, PackInfo pack, Set<PackId> packFiles) throws IOException {
        if (!packFiles.contains(pack.id())) {
            problems.add("index file " + indexName + " lists pack " + pack.id().hex() + ", which does not exist ("
                    + pack.entries().size() + " blobs missing)");
            return;
        }
        if (damaged.containsKey(pack.id())) {
            return;
        }
        try (PackReader reader = PackReader.open(layout.pack(pack.id()), pack.id())) {
            if (reader.fileSize() != pack.size()) {
                problems.add("index file " + indexName + " gives pack " + pack.id().hex() + " a size of " + pack.size()
                        + " bytes, but the file has " + reader.fileSize());
            }
            Map<BlobId, IndexEntry> trailer = new HashMap<>();
            for (IndexEntry e : reader.entries()) {
                trailer.put(e.id(), e);
            }
            for (IndexEntry e : pack.entries()) {
                IndexEntry actual = trailer.get(e.id());
                if (!e.equals(actual)) {
                    problems.add("index file " + indexName + " places blob " + e.id().hex() + " in pack "
                            + pack.id().hex() + " at offset " + e.offset() + " length " + e.length() + " (" + e.kind()
                            + "), but the pack's trailer " + (actual == null ? "does not list it"
                            : "says offset " + actual.offset() + " length " + actual.length() + " ("
                            + actual.kind() + ")"));
                }
            }
        }
    }

    private void checkSnapshots() throws IOException {
        SnapshotListing listing = repository.listSnapshots();
        problems.addAll(listing.problems());
        Set<SnapshotId> present = new HashSet<>();
        for (SnapshotRecord s : listing.snapshots()) {
            present.add(s.id());
        }
        Index index = repository.index();
        for (SnapshotRecord snapshot : listing.snapshots()) {
            SnapshotId id = snapshot.id();
            if (snapshot.parent() != null && !present.contains(snapshot.parent())) {
                notes.add("snapshot " + id.hex() + " names parent " + snapshot.parent().hex()
                        + ", which is no longer in the repository (normal after pruning)");
            }
            long missing = 0;
            Map<PackId, Long> inDamaged = new LinkedHashMap<>();
            try (RefsIterator refs = repository.readRefs(snapshot.refs())) {
                while (refs.hasNext()) {
                    BlobId blob = refs.next();
                    IndexEntry entry = index.lookup(blob);
                    if (entry == null) {
                        if (missing++ < MAX_LISTED_PER_SNAPSHOT) {
                            problems.add("snapshot " + id.hex() + " references blob " + blob.hex()
                                    + ", which no index lists");
                        }
                    } else if (damaged.containsKey(entry.pack())) {
                        inDamaged.merge(entry.pack(), 1L, Long::sum);
                    }
                }
            } catch (IOException e) {
                problems.add("snapshot " + id.hex() + ": " + e.getMessage());
                continue;
            }
            if (missing > MAX_LISTED_PER_SNAPSHOT) {
                problems.add("snapshot " + id.hex() + " references " + missing + " blobs that no index lists ("
                        + MAX_LISTED_PER_SNAPSHOT + " listed above)");
            }
            inDamaged.forEach((pack, count) -> problems.add("snapshot " + id.hex() + " uses " + count
                    + " blobs in damaged pack " + pack.hex()));
        }
    }

    private void checkLeftovers() throws IOException {
        for (String name : Repository.listNames(layout.tmp())) {
            notes.add("leftover temporary file tmp/" + name + " (from an interrupted write; safe to delete when no"
                    + " sluice process uses the repository)");
        }
        for (String name : Repository.listNames(layout.locks())) {
            notes.add("lock file locks/" + name + " is present");
        }
    }

    private void fillDamagedFromIndex() {
        Set<PackId> needIds = new HashSet<>();
        damaged.forEach((pack, blobs) -> {
            if (blobs.isEmpty()) {
                needIds.add(pack);
            }
        });
        if (needIds.isEmpty()) {
            return;
        }
        for (IndexEntry e : repository.index()) {
            if (needIds.contains(e.pack())) {
                damaged.get(e.pack()).add(e.id());
            }
        }
    }
}
