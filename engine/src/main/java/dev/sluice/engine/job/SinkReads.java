package dev.sluice.engine.job;

import dev.sluice.engine.content.RepositoryKeys;
import dev.sluice.engine.crypto.KeyException;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.protocol.KeyCheckCodec;
import dev.sluice.engine.protocol.SinkReader;
import dev.sluice.transport.Link;
import java.io.IOException;
import java.util.Optional;

/**
 * The key holder's way into a job's snapshots at a sink: connect, open a read session, and verify the key file
 * against the sink repository's key check before anything is read, so a wrong key fails at once.
 */
public final class SinkReads {
    private SinkReads() {}

    /**
     * Opens a read session for {@code job} and checks {@code key} against the sink's key check.
     *
     * @throws dev.sluice.engine.crypto.WrongKeyException when the key file does not belong to the sink's repository
     */
    public static SinkReader open(SinkTarget target, String job, MasterKey key) throws IOException, KeyException {
        Link link = target.connect();
        SinkReader reader;
        try {
            reader = SinkReader.open(link, job);
        } catch (IOException e) {
            throw new IOException(target.describe() + ": " + e.getMessage(), e);
        }
        try {
            verifyKey(reader.keyCheck(), key, target);
            return reader;
        } catch (IOException | KeyException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /**
     * Checks the key against a key check the sink sent (push and read sessions). A sink repository created
     * without a key has none; then nothing can be checked and a wrong key shows only when a blob is opened.
     */
    public static void verifyKey(Optional<KeyCheckCodec.Answer> check, MasterKey key, SinkTarget target)
            throws KeyException {
        if (check.isPresent()) {
            RepositoryKeys.verifyRemote(key, check.get().repositoryId(), check.get().check(), target.keyFile(),
                    target.describe());
        }
    }
}
