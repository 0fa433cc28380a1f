package dev.sluice.engine.sink;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.Repository;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Where a restore or a check reads sealed blobs back from: a local repository (synchronous reads) or a sink over
 * a link (many reads in flight). Readers keep up to {@link #readAhead()} fetches outstanding each.
 */
public interface BlobSource {

    /**
     * Starts reading one sealed blob. The future completes with its bytes, or fails with an {@link IOException}
     * naming the blob. May block while the source has too many reads in flight.
     */
    CompletableFuture<byte[]> fetch(BlobId id) throws IOException;

    /** How many fetches one reader should keep outstanding: 1 when fetching is synchronous anyway. */
    default int readAhead() {
        return 1;
    }

    /** Reads one sealed blob and waits for it. */
    default byte[] read(BlobId id) throws IOException {
        return await(fetch(id));
    }

    /** The result of a fetch, with its {@link IOException} unwrapped. */
    static byte[] await(CompletableFuture<byte[]> fetched) throws IOException {
        try {
            return fetched.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading a blob");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause.getMessage(), cause);
        }
    }

    /** The blobs of a local repository, read on the calling thread. */
    static BlobSource of(Repository repository) {
        return id -> {
            try {
                return CompletableFuture.completedFuture(repository.readBlob(id));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }
}
