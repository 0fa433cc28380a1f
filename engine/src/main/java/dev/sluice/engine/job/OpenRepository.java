package dev.sluice.engine.job;

import dev.sluice.engine.compress.BlobCompressor;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.RepositoryKeys;
import dev.sluice.engine.crypto.KeyException;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.repository.Repository;
import java.io.IOException;

/**
 * A repository opened and unlocked for one command or run: the key-less repository and
 * the source side's codec. Closing it closes the repository and forgets the key.
 */
public final class OpenRepository implements AutoCloseable {
    private final Repository repository;
    private final MasterKey key;
    private final BlobCodec codec;

    private OpenRepository(Repository repository, MasterKey key, BlobCodec codec) {
        this.repository = repository;
        this.key = key;
        this.codec = codec;
    }

    /** Opens and unlocks; compression settings come from the repository unless given. */
    public static OpenRepository open(RepositoryTarget target, String compression, Integer level)
            throws IOException, KeyException {
        Repository repo = Repository.open(target.repository());
        try {
            MasterKey key = RepositoryKeys.unlock(repo, target.keyFile(), target.passwordFile());
            String algorithm = compression != null ? compression : repo.settings().compression();
            int lvl = level != null ? level : repo.settings().compressionLevel();
            return new OpenRepository(repo, key, new BlobCodec(key, new BlobCompressor(algorithm, lvl)));
        } catch (IOException | KeyException | RuntimeException e) {
            repo.close();
            throw e;
        }
    }

    public Repository repository() {
        return repository;
    }

    public BlobCodec codec() {
        return codec;
    }

    @Override
    public void close() throws IOException {
        try {
            repository.close();
        } finally {
            key.destroy();
        }
    }
}
