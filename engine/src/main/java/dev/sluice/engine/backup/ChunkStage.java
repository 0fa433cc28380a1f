package dev.sluice.engine.backup;

import dev.sluice.engine.buffer.ArrayPool;
import dev.sluice.engine.chunk.ChunkReader;
import dev.sluice.engine.chunk.Chunker;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.MetadataReader;
import dev.sluice.engine.scan.FileProblem;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;

/**
 * Reads the files that must be read, cuts them into content-defined chunks and gives
 * each chunk its keyed id. Files are read in batches on the I/O scheduler, {@code readers}
 * batches at a time; a batch ends after 64 small files or after one large file, so large
 * files are read in parallel while small ones do not pay a thread hop each.
 */
public final class ChunkStage implements Function<Flux<FileTask>, Flux<Piece>> {
    private static final int SMALL_FILES_PER_BATCH = 64;

    private final Chunker chunker;
    private final int maxChunk;
    private final BlobCodec codec;
    private final Scheduler io;
    private final int readers;
    private final BackupStats stats;
    private final ArrayPool pool;

    public ChunkStage(Chunker chunker, int maxChunk, BlobCodec codec, Scheduler io, int readers, BackupStats stats,
            ArrayPool pool) {
        this.pool = pool;
        if (readers < 1) {
            throw new IllegalArgumentException("readers must be at least 1");
        }
        this.chunker = chunker;
        this.maxChunk = maxChunk;
        this.codec = codec;
        this.io = io;
        this.readers = readers;
        this.stats = stats;
    }

    @Override
    public Flux<Piece> apply(Flux<FileTask> tasks) {
        return Flux.defer(() -> {
                    int[] smallInBatch = {0};
                    return tasks.bufferUntil(t -> {
                        boolean large = t.disposition().reads() && t.entry().meta().size() > maxChunk;
                        if (large || ++smallInBatch[0] >= SMALL_FILES_PER_BATCH) {
                            smallInBatch[0] = 0;
                            return true;
                        }
                        return false;
                    });
                })
                .flatMapSequential(batch -> Flux.<Piece, BatchReader>generate(
                                        () -> new BatchReader(batch), BatchReader::step, BatchReader::close)
                                .subscribeOn(io),
                        readers, 2);
    }

    /** Reads the files of one batch one after another, one piece per request. */
    private final class BatchReader {
        private final Iterator<FileTask> tasks;
        private final MetadataReader metadata = new MetadataReader();
        private FileTask current;
        private FileChannel channel;
        private ChunkReader reader;
        private long bytesRead;

        BatchReader(List<FileTask> batch) {
            this.tasks = batch.iterator();
        }

        BatchReader step(SynchronousSink<Piece> sink) {
            if (current == null) {
                if (!tasks.hasNext()) {
                    sink.complete();
                    return this;
                }
                current = tasks.next();
                if (!current.disposition().reads()) {
                    emitDone(sink, null);
                    return this;
                }
                try {
                    open();
                } catch (IOException e) {
                    emitDone(sink, problem(e));
                    return this;
                }
            }
            try {
                if (reader.hasNext()) {
                    dev.sluice.engine.chunk.Chunk c = reader.next();
                    byte[] data = c.data();
                    int n = c.length();
                    bytesRead += n;
                    stats.bytesRead.addAndGet(n);
                    sink.next(new Piece.Chunk(current, codec.id(data, 0, n), n, data));
                } else {
                    FileProblem changed = changedWhileRead();
                    IOException closing = closeFile();
                    emitDone(sink, changed != null || closing == null ? changed
                            : new FileProblem(current.entry().path(), FileProblem.Kind.OTHER,
                                    "read completely, but closing it failed: " + closing.getMessage()));
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                closeFile();
                emitDone(sink, problem(e instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) e));
            }
            return this;
        }

        private void open() throws IOException {
            channel = FileChannel.open(current.entry().file(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            reader = new ChunkReader(channel, chunker, current.entry().meta().size(), pool);
            bytesRead = 0;
        }

        private FileProblem changedWhileRead() throws IOException {
            FileMeta before = current.entry().meta();
            FileMeta after = metadata.read(current.entry().file());
            if (after.size() != before.size() || after.mtimeNanos() != before.mtimeNanos()
                    || after.ctimeNanos() != before.ctimeNanos() || bytesRead != before.size()) {
                return new FileProblem(current.entry().path(), FileProblem.Kind.CHANGED,
                        "file changed while it was read; the snapshot holds the " + bytesRead + " bytes read");
            }
            return null;
        }

        private FileProblem problem(IOException e) {
            FileProblem.Kind kind = e instanceof NoSuchFileException ? FileProblem.Kind.VANISHED : FileProblem.Kind.UNREADABLE;
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new FileProblem(current.entry().path(), kind, message);
        }

        private void emitDone(SynchronousSink<Piece> sink, FileProblem problem) {
            sink.next(new Piece.FileDone(current, problem, bytesRead));
            current = null;
            bytesRead = 0;
        }

        /** Closes the open file; returns the failure, if any, for the caller to report. */
        private IOException closeFile() {
            reader = null;
            IOException failure = null;
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    failure = e;
                }
                channel = null;
            }
            return failure;
        }
        void close() {
            closeFile();
        }
    }
}
