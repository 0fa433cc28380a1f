package dev.sluice.engine.gc;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.Index;
import dev.sluice.engine.repository.IndexEntry;
import dev.sluice.engine.repository.IndexWriter;
import dev.sluice.engine.repository.PackId;
import dev.sluice.engine.repository.PackInfo;
import dev.sluice.engine.repository.PackReader;
import dev.sluice.engine.repository.PackWriter;
import dev.sluice.engine.repository.RefsIterator;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryException;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotListing;
import dev.sluice.engine.repository.SnapshotRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Removes snapshots and frees the space of data no remaining snapshot references, without the key.
 *
 * <p>The live set is the union of the reference lists of the remaining snapshots, streamed into a bitmap
 * over the index's entry numbers (one bit per blob), so memory beyond the already loaded index is a few
 * bytes per blob. Packs without a live blob are deleted; packs whose live blobs fill less than
 * {@link GcOptions#minLiveFraction()} of the file are rewritten by copying the live sealed blobs byte for
 * byte into new packs (a sealed blob does not depend on its place, so no key is needed) after the old pack's
 * hash was verified, so damage is never copied into a pack with a valid name.
 *
 * <p>The steps are ordered so that a crash at any point leaves every blob of every remaining snapshot
 * reachable through an index file or a pack trailer, and the next run finishes the work:
 * <ol>
 *   <li>delete the forgotten snapshot records, then the reference lists no remaining record uses;</li>
 *   <li>compute the live set (nothing is deleted if a remaining snapshot references a blob the index lacks,
 *       or if a snapshot file cannot be read);</li>
 *   <li>write the new packs (found by their trailers if the run dies before the next step);</li>
 *   <li>write one new index file covering every kept pack and every new pack;</li>
 *   <li>delete the old index files;</li>
 *   <li>delete the dead and the rewritten packs (no index file lists them any more);</li>
 *   <li>delete leftover temporary pack and index files of interrupted runs.</li>
 * </ol>
 * The caller must hold the repository's exclusive lock (a shared one for a dry run) and must have opened the
 * repository after taking it; afterwards the repository's in-memory index is stale, so close it.
 */
public final class GarbageCollector {
    private static final byte KEEP = 0;
    private static final byte DELETE = 1;
    private static final byte REWRITE = 2;

    private final Repository repository;
    private final GcOptions options;

    public GarbageCollector(Repository repository, GcOptions options) {
        this.repository = repository;
        this.options = options;
    }

    /** Removes the snapshots {@code forget} (ids that are already gone are ignored) and collects garbage. */
    public GcResult collect(Set<SnapshotId> forget) throws IOException {
        boolean dry = options.dryRun();
        List<String> notes = new ArrayList<>();
        SnapshotListing listing = repository.listSnapshots();
        if (!listing.problems().isEmpty()) {
            throw new RepositoryException("cannot collect garbage in repository " + repository.root() + ": "
                    + listing.problems().size() + " snapshot file(s) cannot be read, so the data they reference"
                    + " cannot be told from garbage; nothing was deleted (first: " + listing.problems().get(0)
                    + "); run 'sluice check'");
        }
        List<SnapshotId> removed = new ArrayList<>();
        Set<BlobId> liveRefs = new TreeSet<>();
        for (SnapshotRecord s : listing.snapshots()) {
            SnapshotId id = s.id();
            if (forget.contains(id)) {
                removed.add(id);
            } else {
                liveRefs.add(s.refs());
            }
        }
        int remaining = listing.snapshots().size() - removed.size();
        long freed = 0;

        // 1. forget: snapshot records first, then reference lists nobody uses any more
        List<BlobId> deadRefs = new ArrayList<>();
        for (BlobId refs : repository.refsFiles()) {
            if (!liveRefs.contains(refs)) {
                deadRefs.add(refs);
            }
        }
        if (!dry) {
            freed += repository.deleteSnapshots(removed);
            freed += repository.deleteRefs(deadRefs);
        }

        // 2. live set: one bit per index entry
        Index index = repository.index();
        int n = index.size();
        long[] live = new long[(n + 63) >>> 6];
        long missing = 0;
        String firstMissing = null;
        for (BlobId refsId : liveRefs) {
            try (RefsIterator refs = repository.readRefs(refsId)) {
                while (refs.hasNext()) {
                    BlobId blob = refs.next();
                    int e = index.ordinal(blob);
                    if (e < 0) {
                        if (missing++ == 0) {
                            firstMissing = "blob " + blob.hex() + " of reference list " + refsId.hex();
                        }
                    } else {
                        live[e >>> 6] |= 1L << e;
                    }
                }
            }
        }
        if (missing > 0) {
            String message = "remaining snapshots reference " + missing + " blob(s) that no index or pack lists"
                    + " (first: " + firstMissing + ")";
            if (!dry) {
                throw new RepositoryException("cannot collect garbage in repository " + repository.root() + ": "
                        + message + "; the repository is damaged or was written without a lock, so no pack was"
                        + " deleted; run 'sluice check'");
            }
            notes.add(message + "; a real run would refuse to delete packs");
        }

        // 3. per-pack accounting and decisions
        int p = index.packCount();
        int[] entries = new int[p];
        int[] liveCount = new int[p];
        long[] liveBytes = new long[p];
        long liveBlobs = 0;
        for (int e = 0; e < n; e++) {
            int po = index.packOrdinalAt(e);
            entries[po]++;
            if ((live[e >>> 6] & (1L << e)) != 0) {
                liveCount[po]++;
                liveBytes[po] += index.lengthAt(e);
                liveBlobs++;
            }
        }
        long[] size = new long[p];
        byte[] action = new byte[p];
        long packBytesBefore = 0;
        long blobsRemoved = 0;
        for (int po = 0; po < p; po++) {
            size[po] = repository.packSize(index.packAt(po));
            packBytesBefore += size[po];
            if (liveCount[po] == 0) {
                action[po] = DELETE;
                blobsRemoved += entries[po];
            } else if (liveBytes[po] < options.minLiveFraction() * blobBytes(size[po], entries[po])) {
                action[po] = REWRITE;
                blobsRemoved += entries[po] - liveCount[po];
            }
        }
        List<PackId> orphans = new ArrayList<>();
        List<PackId> files = repository.packFiles();
        for (PackId pack : files) {
            if (!index.containsPack(pack)) {
                long bytes = repository.packSize(pack);
                packBytesBefore += bytes;
                if (onlyDuplicates(pack, index, notes)) {
                    orphans.add(pack);
                }
            }
        }

        if (dry) {
            int deleted = orphans.size();
            int rewritten = 0;
            long after = 0;
            for (int po = 0; po < p; po++) {
                deleted += action[po] == DELETE ? 1 : 0;
                rewritten += action[po] == REWRITE ? 1 : 0;
                after += action[po] == KEEP ? size[po] : action[po] == REWRITE ? liveBytes[po] : 0;
            }
            for (PackId pack : files) {
                if (!index.containsPack(pack) && !orphans.contains(pack)) {
                    after += repository.packSize(pack);
                }
            }
            notes.add("dry run: nothing was changed; sizes after rewriting are estimates");
            return new GcResult(true, removed.size(), remaining, deadRefs.size(), liveBlobs, blobsRemoved,
                    files.size(), deleted, rewritten, 0, packBytesBefore, after, 0, 0, packBytesBefore - after,
                    notes);
        }

        // 4. rewrite: copy the live blobs of mostly-dead packs into new packs
        Copier copier = new Copier(repository, index, live);
        int rewritten = 0;
        for (int po = 0; po < p; po++) {
            if (action[po] == REWRITE) {
                if (copier.copyLive(index.packAt(po), po, liveCount[po], notes)) {
                    rewritten++;
                } else {
                    action[po] = KEEP;
                }
            }
        }
        copier.finish();

        // A rewrite repeated after an interrupted one writes the same bytes, hence a pack of the same name as
        // a leftover "orphan" of the first attempt: that name is live again and must not be deleted.
        Set<PackId> listed = new HashSet<>();
        for (PackInfo pack : copier.written) {
            listed.add(pack.id());
        }
        orphans.removeIf(listed::contains);
        List<PackId> doomed = new ArrayList<>(orphans);
        int kept = 0;
        for (int po = 0; po < p; po++) {
            if (action[po] == KEEP) {
                kept++;
            } else if (!listed.contains(index.packAt(po))) {
                doomed.add(index.packAt(po));
            }
        }
        // 5. one new index over the kept and the new packs, then 6. away with the old index files
        int indexFilesReplaced = 0;
        List<String> oldIndex = repository.indexFileNames();
        boolean changed = !doomed.isEmpty() || !copier.written.isEmpty() || !repository.unindexedPacks().isEmpty()
                || !repository.openProblems().isEmpty();
        if (changed) {
            String name = writeIndex(index, action, entries, size, kept, copier);
            freed -= java.nio.file.Files.size(repository.layout().indexFile(name));
            List<String> old = new ArrayList<>(oldIndex);
            old.remove(name);
            freed += repository.deleteIndexFiles(old);
            indexFilesReplaced = old.size();
        }

        // 7. delete dead and rewritten packs; nothing lists them now
        repository.deletePacks(doomed);
        long packBytesAfter = 0;
        for (PackId pack : repository.packFiles()) {
            packBytesAfter += repository.packSize(pack);
        }
        freed += packBytesBefore - packBytesAfter;

        // 8. leftovers of interrupted writers (lock files being written are left alone)
        List<String> tmp = new ArrayList<>();
        for (String name : repository.tmpFiles()) {
            if (!name.startsWith("shared-") && !name.startsWith("exclusive-")) {
                tmp.add(name);
            }
        }
        freed += repository.deleteTmpFiles(tmp);

        return new GcResult(false, removed.size(), remaining, deadRefs.size(), liveBlobs, blobsRemoved, files.size(),
                doomed.size(), rewritten, copier.written.size(), packBytesBefore, packBytesAfter, indexFilesReplaced,
                tmp.size(), freed, notes);
    }

    /** The bytes of a pack's blobs: the file without header, footer and trailer entries (45 bytes per blob). */
    private static long blobBytes(long fileSize, int entries) {
        return Math.max(1, fileSize - 8 - 16 - 45L * entries);
    }

    /** True if every blob in the pack's trailer is indexed elsewhere, so the pack can go. */
    private boolean onlyDuplicates(PackId pack, Index index, List<String> notes) {
        try (PackReader reader = PackReader.open(repository.layout().pack(pack), pack)) {
            for (IndexEntry e : reader.entries()) {
                if (!index.contains(e.id())) {
                    notes.add("pack " + pack.hex() + " holds blob " + e.id().hex() + " that the index lacks; kept");
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            notes.add("pack " + pack.hex() + " is listed in no index and its trailer is unreadable; kept ("
                    + e.getMessage() + ")");
            return false;
        }
    }

    private String writeIndex(Index index, byte[] action, int[] entries, long[] size, int kept, Copier copier)
            throws IOException {
        int p = action.length;
        int n = index.size();
        int[] start = new int[p + 1];
        for (int po = 0; po < p; po++) {
            start[po + 1] = start[po] + (action[po] == KEEP ? entries[po] : 0);
        }
        int[] order = new int[start[p]];
        int[] fill = start.clone();
        for (int e = 0; e < n; e++) {
            int po = index.packOrdinalAt(e);
            if (action[po] == KEEP) {
                order[fill[po]++] = e;
            }
        }
        try (IndexWriter writer = repository.newIndexWriter(kept + copier.written.size())) {
            for (int po = 0; po < p; po++) {
                if (action[po] != KEEP) {
                    continue;
                }
                writer.beginPack(index.packAt(po), size[po], entries[po]);
                for (int j = start[po]; j < start[po + 1]; j++) {
                    IndexEntry e = index.entryAt(order[j]);
                    writer.add(e.kind(), e.id(), e.offset(), e.length());
                }
            }
            for (PackInfo pack : copier.written) {
                writer.beginPack(pack.id(), pack.size(), pack.entries().size());
                for (IndexEntry e : pack.entries()) {
                    writer.add(e.kind(), e.id(), e.offset(), e.length());
                }
            }
            return writer.commit();
        }
    }

    /** Copies live sealed blobs into new packs of about the repository's target size. */
    private static final class Copier {
        final Repository repository;
        final Index index;
        final long[] live;
        final List<PackInfo> written = new ArrayList<>();
        final Set<BlobId> copied = new HashSet<>();
        PackWriter writer;

        Copier(Repository repository, Index index, long[] live) {
            this.repository = repository;
            this.index = index;
            this.live = live;
        }

        /** Copies the live blobs of one pack; false (and a note) if the pack's hash does not match its name. */
        boolean copyLive(PackId pack, int packOrdinal, int expected, List<String> notes) throws IOException {
            try (PackReader reader = PackReader.open(repository.layout().pack(pack), pack)) {
                try {
                    reader.verifyHash();
                } catch (RepositoryException damaged) {
                    notes.add("pack " + pack.hex() + " was not rewritten: " + damaged.getMessage());
                    return false;
                }
                int found = 0;
                for (IndexEntry e : reader.entries()) {
                    int ordinal = index.ordinal(e.id());
                    if (ordinal < 0 || index.packOrdinalAt(ordinal) != packOrdinal
                            || (live[ordinal >>> 6] & (1L << ordinal)) == 0) {
                        continue;
                    }
                    found++;
                    byte[] sealed = reader.readBlob(e);
                    if (writer == null) {
                        writer = repository.newPackWriter();
                    }
                    writer.add(e.id(), e.kind(), sealed, 0, sealed.length);
                    if (writer.size() >= repository.settings().packTargetSize()) {
                        finish();
                    }
                }
                if (found != expected) {
                    throw new RepositoryException("pack " + pack.hex() + ": the index places " + expected
                            + " live blobs in it but its trailer holds " + found + "; stopping before any pack is"
                            + " deleted; run 'sluice check'");
                }
                return true;
            }
        }

        void finish() throws IOException {
            if (writer != null) {
                PackWriter w = writer;
                writer = null;
                written.add(w.finish());
            }
        }
    }
}
