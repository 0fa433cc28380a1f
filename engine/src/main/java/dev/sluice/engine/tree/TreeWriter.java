package dev.sluice.engine.tree;

import dev.sluice.engine.chunk.Chunker;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.sink.BlobSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes a snapshot's entries into the metadata stream and cuts that stream into
 * content-defined TREE blobs, so an unchanged stretch of the tree dedups against the
 * parent snapshot's blobs. Memory is bounded by two maximum chunk sizes.
 */
public final class TreeWriter {
    private final Chunker chunker;
    private final int maxChunk;
    private final BlobCodec codec;
    private final BlobSink sink;
    private final TreeCache cache;
    private String cacheProblem;
    private final Buffer buffer = new Buffer();
    private final TreeEncoder encoder = new TreeEncoder(buffer);
    private final List<BlobId> blobs = new ArrayList<>();
    private long entries;

    public TreeWriter(Chunker chunker, int maxChunk, BlobCodec codec, BlobSink sink) {
        this(chunker, maxChunk, codec, sink, TreeCache.none());
    }

    /** Also keeps a sealed copy of every tree blob of the stream in {@code cache}, for the next run's parent. */
    public TreeWriter(Chunker chunker, int maxChunk, BlobCodec codec, BlobSink sink, TreeCache cache) {
        this.chunker = chunker;
        this.maxChunk = maxChunk;
        this.codec = codec;
        this.sink = sink;
        this.cache = cache;
    }

    /** The first failure to write the tree cache (it costs the next run speed only), or null. */
    public String cacheProblem() {
        return cacheProblem;
    }

    public void add(TreeEntry entry) throws IOException {
        encoder.write(entry);
        entries++;
        if (buffer.size() >= 2 * maxChunk) {
            cut(false);
        }
    }

    /** Stores what is left and returns the ordered ids of the stream's TREE blobs. */
    public List<BlobId> finish() throws IOException {
        cut(true);
        return List.copyOf(blobs);
    }

    public long entries() {
        return entries;
    }

    private void cut(boolean all) throws IOException {
        byte[] data = buffer.array();
        int size = buffer.size();
        int off = 0;
        while (size - off >= maxChunk || (all && off < size)) {
            int len = chunker.cut(data, off, Math.min(maxChunk, size - off));
            byte[] plain = Arrays.copyOfRange(data, off, off + len);
            BlobId id = codec.id(plain, 0, plain.length);
            if (!sink.has(id)) {
                byte[] sealed = codec.seal(id, BlobKind.TREE, plain);
                cache(id, sealed);
                sink.put(id, BlobKind.TREE, sealed);
            } else if (cache.dir().isPresent() && !cache.contains(id)) {
                cache(id, codec.seal(id, BlobKind.TREE, plain));
            }
            blobs.add(id);
            off += len;
        }
        buffer.dropFront(off);
    }

    private void cache(BlobId id, byte[] sealed) {
        try {
            cache.write(id, sealed);
        } catch (IOException e) {
            if (cacheProblem == null) {
                cacheProblem = "cannot cache tree blob " + id.shortHex() + ": " + e.getMessage();
            }
        }
    }

    /** A byte buffer whose front can be dropped after a cut. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(1 << 16);
        }

        byte[] array() {
            return buf;
        }

        void dropFront(int n) {
            System.arraycopy(buf, n, buf, 0, count - n);
            count -= n;
        }
    }
}
