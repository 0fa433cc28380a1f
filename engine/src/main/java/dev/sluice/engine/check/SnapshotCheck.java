package dev.sluice.engine.check;

import dev.sluice.engine.backup.BackupRunner;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.HeaderMismatchException;
import dev.sluice.engine.content.SnapshotPayload;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.sink.BlobSource;
import dev.sluice.engine.tree.ChunkRef;
import dev.sluice.engine.tree.TreeEntry;
import dev.sluice.engine.tree.TreeReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The key holder's check of snapshots whose blobs it can only read through a {@link BlobSource} (a sink's read
 * session, where there is no index to walk): each snapshot's payload opens and its metadata stream decodes; with
 * {@code readData}, every data blob its files reference authenticates and matches its id, and each file that
 * needs a damaged or missing blob is named. Blobs found good are not read again for later snapshots.
 */
public final class SnapshotCheck {
    private final BlobCodec codec;
    private final Set<BlobId> good = new HashSet<>();
    private long blobsRead;

    public SnapshotCheck(BlobCodec codec) {
        this.codec = codec;
    }

    /** Distinct blobs read and found good so far. */
    public long blobsVerified() {
        return good.size();
    }

    /** Blob reads so far (tree and data). */
    public long blobsRead() {
        return blobsRead;
    }

    /** A data read in flight. */
    private record Read(BlobId id, CompletableFuture<byte[]> sealed) {}

    /** One snapshot's damage so far: bad blobs, the files waiting on blobs in flight, the files hit. */
    private static final class Damage {
        final Map<BlobId, String> bad = new HashMap<>();
        final Map<BlobId, List<String>> waiting = new HashMap<>();
        final Map<String, Set<String>> files = new LinkedHashMap<>();

        void hit(String path, BlobId id, String reason) {
            files.computeIfAbsent(path, p -> new TreeSet<>()).add("blob " + id.shortHex() + " (" + reason + ")");
        }
    }

    /** Checks one snapshot, reading through {@code blobs}; returns the number of findings. */
    public int run(SnapshotRecord snapshot, BlobSource blobs, boolean readData, Consumer<DataCheck.Finding> out)
            throws IOException {
        String name = "snapshot " + snapshot.id().shortHex();
        SnapshotPayload payload;
        try {
            payload = SnapshotPayload.open(codec, snapshot);
        } catch (HeaderMismatchException e) {
            out.accept(new DataCheck.Finding(name + ": " + e.getMessage()));
            return 1;
        } catch (IOException e) {
            out.accept(new DataCheck.Finding(name + ": its sealed payload cannot be read: " + e.getMessage()));
            return 1;
        }
        TreeReader reader = new TreeReader(payload.treeBlobs(), id -> {
            blobsRead++;
            byte[] plain = codec.open(id, BlobKind.TREE, blobs.read(id), BackupRunner.MAX_BLOB);
            good.add(id);
            return plain;
        });
        Damage damage = new Damage();
        ArrayDeque<Read> ahead = new ArrayDeque<>();
        int findings = 0;
        try {
            while (reader.hasNext()) {
                TreeEntry e = reader.next();
                if (!readData) {
                    continue;
                }
                String path = RawPath.escape(e.path());
                for (ChunkRef c : e.chunks()) {
                    BlobId id = c.id();
                    if (good.contains(id)) {
                        continue;
                    }
                    if (damage.bad.containsKey(id)) {
                        damage.hit(path, id, damage.bad.get(id));
                    } else if (damage.waiting.containsKey(id)) {
                        damage.waiting.get(id).add(path);
                    } else {
                        damage.waiting.put(id, new ArrayList<>(List.of(path)));
                        ahead.add(new Read(id, blobs.fetch(id)));
                        while (ahead.size() >= Math.max(1, blobs.readAhead())) {
                            verify(ahead.poll(), damage);
                        }
                    }
                }
            }
        } catch (UncheckedIOException e) {
            out.accept(new DataCheck.Finding(name + ": its metadata stream cannot be read: "
                    + e.getCause().getMessage()));
            findings++;
        }
        while (!ahead.isEmpty()) {
            verify(ahead.poll(), damage);
        }
        for (Map.Entry<String, Set<String>> d : damage.files.entrySet()) {
            out.accept(new DataCheck.Finding(name + ": file " + d.getKey() + " depends on damaged data: "
                    + String.join(", ", d.getValue())));
            findings++;
        }
        return findings;
    }

    private void verify(Read read, Damage damage) {
        blobsRead++;
        List<String> files = damage.waiting.remove(read.id());
        try {
            codec.open(read.id(), BlobKind.DATA, BlobSource.await(read.sealed()), BackupRunner.MAX_BLOB);
            good.add(read.id());
        } catch (IOException e) {
            damage.bad.put(read.id(), e.getMessage());
            for (String path : files) {
                damage.hit(path, read.id(), e.getMessage());
            }
        }
    }
}
