package dev.sluice.engine.backup;

import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.BlobDamagedException;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.tree.TreeCache;
import dev.sluice.engine.tree.TreeReader;
import java.io.IOException;
import java.util.Optional;

/**
 * Reads the parent snapshot's tree blobs: from the local {@link TreeCache} first, opened with the key (a cached
 * file that does not open — damaged, tampered, another blob — is deleted and fetched again, never trusted), else
 * from the {@link ParentSource}, and then keeps a copy in the cache.
 */
final class ParentTrees implements TreeReader.TreeBlobSource {
    private final ParentSource parents;
    private final BlobCodec codec;
    private final TreeCache cache;
    private final BackupStats stats;

    ParentTrees(ParentSource parents, BlobCodec codec, TreeCache cache, BackupStats stats) {
        this.parents = parents;
        this.codec = codec;
        this.cache = cache;
        this.stats = stats;
    }

    @Override
    public byte[] plaintext(BlobId id) throws IOException {
        Optional<byte[]> cached = Optional.empty();
        try {
            cached = cache.read(id);
        } catch (IOException e) {
            stats.treeCacheProblem("cannot read cached tree blob " + id.shortHex() + ": " + e.getMessage());
        }
        if (cached.isPresent()) {
            try {
                byte[] plain = codec.open(id, BlobKind.TREE, cached.get(), BackupRunner.MAX_BLOB);
                stats.treeCacheHits.incrementAndGet();
                return plain;
            } catch (BlobDamagedException e) {
                stats.treeCacheRejected.incrementAndGet();
                stats.treeCacheProblem("cached tree blob " + id.shortHex() + " was rejected and fetched again: "
                        + e.getMessage());
                remove(id);
            }
        }
        byte[] sealed = parents.readBlob(id);
        byte[] plain = codec.open(id, BlobKind.TREE, sealed, BackupRunner.MAX_BLOB);
        try {
            cache.write(id, sealed);
        } catch (IOException e) {
            stats.treeCacheProblem("cannot cache tree blob " + id.shortHex() + ": " + e.getMessage());
        }
        return plain;
    }

    private void remove(BlobId id) {
        try {
            cache.remove(id);
        } catch (IOException e) {
            stats.treeCacheProblem("cannot delete rejected cached tree blob " + id.shortHex() + ": "
                    + e.getMessage());
        }
    }
}
