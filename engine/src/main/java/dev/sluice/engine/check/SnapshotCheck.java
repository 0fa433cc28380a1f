package dev.sluice.engine.check;

import dev.sluice.engine.backup.BackupRunner;
import dev.sluice.engine.content.BlobCodec;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The key holder's check of snapshots whose blobs it can only read through a {@link BlobSource} (a sink's read
 * session, where there is no index to walk): each snapshot's payload opens and its metadata stream decodes; with
 * {@code readData}, every data blob its files reference authenticates and matches its id. Blobs found good are
 * not read again for later snapshots.
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

    /** A data read in flight, with the file it belongs to. */
    private record Read(String path, BlobId id, CompletableFuture<byte[]> sealed) {}

    /** Checks one snapshot, reading through {@code blobs}; returns the number of findings. */
    public int run(SnapshotRecord snapshot, BlobSource blobs, boolean readData, Consumer<DataCheck.Finding> out)
            throws IOException {
        String name = "snapshot " + snapshot.id().shortHex();
        SnapshotPayload payload;
        try {
            payload = SnapshotPayload.decode(codec.openPayload(snapshot.refs(), snapshot.sealedPayload()));
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
        Map<String, Set<String>> damaged = new LinkedHashMap<>();
        ArrayDeque<Read> ahead = new ArrayDeque<>();
        Set<BlobId> queued = new HashSet<>();
        int findings = 0;
        try {
            while (reader.hasNext()) {
                TreeEntry e = reader.next();
                if (!readData) {
                    continue;
                }
                for (ChunkRef c : e.chunks()) {
                    if (good.contains(c.id()) || !queued.add(c.id())) {
                        continue;
                    }
                    ahead.add(new Read(RawPath.escape(e.path()), c.id(), blobs.fetch(c.id())));
                    while (ahead.size() >= Math.max(1, blobs.readAhead())) {
                        verify(ahead.poll(), damaged);
                    }
                }
            }
        } catch (UncheckedIOException e) {
            out.accept(new DataCheck.Finding(name + ": its metadata stream cannot be read: "
                    + e.getCause().getMessage()));
            findings++;
        }
        while (!ahead.isEmpty()) {
            verify(ahead.poll(), damaged);
        }
        for (Map.Entry<String, Set<String>> d : damaged.entrySet()) {
            out.accept(new DataCheck.Finding(name + ": file " + d.getKey() + " depends on damaged data: "
                    + String.join(", ", d.getValue())));
            findings++;
        }
        return findings;
    }

    private void verify(Read read, Map<String, Set<String>> damaged) {
        blobsRead++;
        try {
            codec.open(read.id(), BlobKind.DATA, BlobSource.await(read.sealed()), BackupRunner.MAX_BLOB);
            good.add(read.id());
        } catch (IOException e) {
            damaged.computeIfAbsent(read.path(), p -> new TreeSet<>()).add("blob " + read.id().shortHex() + " ("
                    + e.getMessage() + ")");
        }
    }
}
