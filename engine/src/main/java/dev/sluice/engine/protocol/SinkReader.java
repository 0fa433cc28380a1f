package dev.sluice.engine.protocol;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.sink.BlobSource;
import dev.sluice.transport.Link;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The key holder's side of a read session (OPEN_READ): lists its own snapshots of one job, reads the sink
 * repository's key check, and reads the blobs one of those snapshots references, pipelined. Nothing can be added
 * through it. The blocking methods must not run on an event loop.
 */
public final class SinkReader implements AutoCloseable {
    /** Reads one restore or check reader keeps in flight; a restore runs up to 8 readers (64, the session's limit). */
    public static final int READ_AHEAD = 8;

    private final RemoteBlobSink session;
    private final String sink;

    private SinkReader(RemoteBlobSink session, String sink) {
        this.session = session;
        this.sink = sink;
    }

    /** Opens a read session for {@code job}; fails if the sink does not allow this peer that job. */
    public static SinkReader open(Link link, String job) throws IOException {
        return new SinkReader(RemoteBlobSink.open(link, job, MessageType.OPEN_READ), link.peer().name());
    }

    /** The job this session reads. */
    public String job() {
        return session.job();
    }

    /** This peer's snapshots of the job, in the sink's order. */
    public List<SnapshotRecord> snapshots() throws IOException {
        return session.snapshots();
    }

    /** The sink repository's key check, or empty if its repository has none. */
    public Optional<KeyCheckCodec.Answer> keyCheck() throws IOException {
        return session.keyCheck();
    }

    /**
     * The blobs {@code snapshot} references, as a {@link BlobSource}: a fetch of any other blob fails with
     * {@link ProtocolException} NOT_FOUND, and so does a blob the sink has lost.
     */
    public BlobSource blobs(SnapshotRecord snapshot) {
        return new BlobSource() {
            @Override
            public CompletableFuture<byte[]> fetch(BlobId id) throws IOException {
                return session.fetch(snapshot.id(), id);
            }

            @Override
            public int readAhead() {
                return READ_AHEAD;
            }

            @Override
            public byte[] read(BlobId id) throws IOException {
                return RemoteBlobSink.await(fetch(id), sink);
            }
        };
    }

    /** Ends the session. */
    @Override
    public void close() throws IOException {
        session.close();
    }
}
