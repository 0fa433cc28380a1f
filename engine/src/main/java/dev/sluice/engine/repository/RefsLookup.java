package dev.sluice.engine.repository;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Answers "does this reference list name this blob?" by binary search over the list's file, so a sink can check
 * a read against a snapshot's references in constant memory (a million references cost 20 reads of 32 bytes).
 * The whole list is verified (hash, order, footer) when it is opened.
 */
public final class RefsLookup implements Closeable {
    private final BlobId refsId;
    private final FileChannel channel;
    private final long count;
    private final ByteBuffer probe = ByteBuffer.allocate(BlobId.LENGTH);

    private RefsLookup(BlobId refsId, FileChannel channel, long count) {
        this.refsId = refsId;
        this.channel = channel;
        this.count = count;
    }

    static RefsLookup open(RepositoryLayout layout, BlobId refsId) throws IOException {
        long count;
        try (RefsIterator verified = RefsFormat.read(layout, refsId)) {
            count = verified.count();
        }
        return new RefsLookup(refsId, FileChannel.open(layout.refsFile(refsId), StandardOpenOption.READ), count);
    }

    /** The id of the reference list. */
    public BlobId refsId() {
        return refsId;
    }

    /** True if the list names {@code id}. */
    public synchronized boolean contains(BlobId id) throws IOException {
        byte[] wanted = id.bytes();
        long lo = 0;
        long hi = count - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            probe.clear();
            PackReader.readFully(channel, probe, RefsFormat.HEADER_SIZE + mid * BlobId.LENGTH,
                    "reference list " + refsId.hex());
            int c = Arrays.compareUnsigned(probe.array(), wanted);
            if (c == 0) {
                return true;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
