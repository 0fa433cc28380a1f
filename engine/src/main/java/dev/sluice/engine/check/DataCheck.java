package dev.sluice.engine.check;

import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.backup.BackupRunner;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.BlobDamagedException;
import dev.sluice.engine.content.HeaderMismatchException;
import dev.sluice.engine.content.SnapshotPayload;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.IndexEntry;
import dev.sluice.engine.repository.PackId;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.tree.ChunkRef;
import dev.sluice.engine.tree.TreeEntry;
import dev.sluice.engine.tree.TreeReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The checks that need the key: every snapshot's payload opens and its metadata stream
 * decodes; with {@code readData}, every stored blob authenticates and matches its id.
 * Damaged blobs are traced to the snapshots and files that depend on them.
 */
public final class DataCheck {
    private final Repository repository;
    private final BlobCodec codec;

    public DataCheck(Repository repository, BlobCodec codec) {
        this.repository = repository;
        this.codec = codec;
    }

    /** A finding of the check, already phrased for the operator. */
    public record Finding(String message) {}

    /**
     * Runs the check, reporting findings as they are made.
     *
     * @param knownDamaged blob ids the structure check already found damaged (by pack hash)
     * @return the number of findings
     */
    public int run(boolean readData, Map<PackId, List<BlobId>> knownDamaged, Consumer<Finding> out) throws IOException {
        Set<BlobId> damaged = new HashSet<>();
        Map<BlobId, PackId> damagedIn = new HashMap<>();
        knownDamaged.forEach((pack, ids) -> ids.forEach(id -> {
            damaged.add(id);
            damagedIn.put(id, pack);
        }));
        int findings = 0;
        if (readData) {
            Map<PackId, Integer> badPerPack = new HashMap<>();
            for (IndexEntry entry : repository.index()) {
                try {
                    codec.open(entry.id(), entry.kind(), repository.readBlob(entry), BackupRunner.MAX_BLOB);
                } catch (IOException e) {
                    if (damaged.add(entry.id())) {
                        damagedIn.put(entry.id(), entry.pack());
                    }
                    badPerPack.merge(entry.pack(), 1, Integer::sum);
                }
            }
            for (Map.Entry<PackId, Integer> bad : badPerPack.entrySet()) {
                out.accept(new Finding("pack " + bad.getKey().hex() + " is damaged: " + bad.getValue()
                        + " blob(s) fail authentication or their id check"));
                findings++;
            }
        }
        for (SnapshotRecord snapshot : repository.snapshots()) {
            findings += checkSnapshot(snapshot, damaged, damagedIn, out);
        }
        return findings;
    }

    private int checkSnapshot(SnapshotRecord snapshot, Set<BlobId> damaged, Map<BlobId, PackId> damagedIn,
            Consumer<Finding> out) {
        String name = "snapshot " + snapshot.id().shortHex();
        SnapshotPayload payload;
        try {
            payload = SnapshotPayload.open(codec, snapshot);
        } catch (HeaderMismatchException e) {
            out.accept(new Finding(name + ": " + e.getMessage()));
            return 1;
        } catch (IOException e) {
            out.accept(new Finding(name + ": its sealed payload cannot be read: " + e.getMessage()));
            return 1;
        }
        int findings = 0;
        for (BlobId tree : payload.treeBlobs()) {
            if (damaged.contains(tree)) {
                out.accept(new Finding(name + ": its metadata blob " + tree.shortHex() + " is damaged (pack "
                        + damagedIn.get(tree).hex() + "); files listed after that point cannot be restored"));
                findings++;
            }
        }
        TreeReader reader = new TreeReader(payload.treeBlobs(),
                id -> codec.open(id, BlobKind.TREE, repository.readBlob(id), BackupRunner.MAX_BLOB));
        try {
            while (reader.hasNext()) {
                TreeEntry e = reader.next();
                List<String> packs = new ArrayList<>();
                for (ChunkRef c : e.chunks()) {
                    if (damaged.contains(c.id())) {
                        packs.add(damagedIn.get(c.id()).hex());
                    } else if (!repository.index().contains(c.id())) {
                        packs.add("missing blob " + c.id().shortHex());
                    }
                }
                if (!packs.isEmpty()) {
                    out.accept(new Finding(name + ": file " + RawPath.escape(e.path())
                            + " depends on damaged data: " + String.join(", ", new java.util.TreeSet<>(packs))));
                    findings++;
                }
            }
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof BlobDamagedException) || findings == 0) {
                out.accept(new Finding(name + ": its metadata stream cannot be read: " + e.getCause().getMessage()));
                findings++;
            }
        }
        return findings;
    }
}
