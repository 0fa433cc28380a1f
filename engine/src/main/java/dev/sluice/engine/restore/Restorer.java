package dev.sluice.engine.restore;

import dev.sluice.engine.backup.BackupRunner;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.SnapshotPayload;
import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.MetadataWriter;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.fs.SparseFileWriter;
import dev.sluice.engine.fs.SpecialFiles;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.scan.FileProblem;
import dev.sluice.engine.sink.BlobSource;
import dev.sluice.engine.tree.ChunkRef;
import dev.sluice.engine.tree.TreeEntry;
import dev.sluice.engine.tree.TreeReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Restores a snapshot, or the parts of it under given paths, into a target directory:
 * structure in tree order on one thread, file contents in parallel, and directory
 * metadata last, deepest first, so writing into a directory does not disturb its times.
 */
public final class Restorer {
    private final Workers workers;
    private final BlobSource blobs;
    private final BlobCodec codec;
    /** MetadataWriter is not thread-safe; content jobs run on several threads. */
    private final ThreadLocal<MetadataWriter> writers = ThreadLocal.withInitial(MetadataWriter::new);
    private final RestoreStats stats = new RestoreStats();

    public Restorer(Workers workers, Repository repository, BlobCodec codec) {
        this(workers, BlobSource.of(repository), codec);
    }

    /**
     * A restorer reading from any blob source: with a remote one, several files are written at once and each keeps
     * {@link BlobSource#readAhead()} reads in flight, so the link stays busy.
     */
    public Restorer(Workers workers, BlobSource blobs, BlobCodec codec) {
        this.workers = workers;
        this.blobs = blobs;
        this.codec = codec;
    }

    public RestoreStats stats() {
        return stats;
    }

    /** Restores; per-file problems go to the reporter and the restore goes on. Blocks the caller. */
    public RestoreStats restore(SnapshotRecord snapshot, Path target, RestoreOptions options,
            Consumer<FileProblem> problems) throws IOException {
        BlobCodec.warmUp(workers.cpu());
        SnapshotPayload payload = SnapshotPayload.open(codec, snapshot);
        if (options.include().isEmpty()) {
            stats.bytesTotal = snapshot.bytes();
        }
        Files.createDirectories(target);
        byte[] targetBytes = RawPath.bytes(target.toAbsolutePath().normalize());
        TreeReader reader = new TreeReader(payload.treeBlobs(),
                id -> codec.open(id, BlobKind.TREE, blobs.read(id), BackupRunner.MAX_BLOB));
        List<TreeEntry> directories = new ArrayList<>();
        Consumer<FileProblem> report = p -> {
            stats.problems.incrementAndGet();
            problems.accept(p);
        };
        try {
            Flux.fromIterable(() -> reader)
                    .subscribeOn(workers.io())
                    .filter(e -> included(e.path(), options.include()))
                    .concatMap(e -> Mono.justOrEmpty(prepare(e, targetBytes, options, directories, report)), 4)
                    .flatMap(job -> Mono.fromRunnable(() -> writeContent(job, options, report))
                            .subscribeOn(workers.io()), Math.max(workers.cpus() + 1, Math.min(8, blobs.readAhead())), 1)
                    .then()
                    .block();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (int i = directories.size() - 1; i >= 0; i--) {
            TreeEntry dir = directories.get(i);
            try {
                writers.get().apply(targetOf(targetBytes, dir.path()), dir.meta(), options.restoreOwnership());
            } catch (IOException e) {
                report.accept(problem(dir, e));
            }
        }
        return stats;
    }

    private record ContentJob(TreeEntry entry, Path file) {}

    /** Creates the entry's structure; returns a content job for regular files with data. */
    private ContentJob prepare(TreeEntry e, byte[] targetBytes, RestoreOptions options, List<TreeEntry> directories,
            Consumer<FileProblem> report) {
        Path t = targetOf(targetBytes, e.path());
        FileMeta m = e.meta();
        try {
            Path parent = t.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (e.isHardlink()) {
                Files.deleteIfExists(t);
                Files.createLink(t, targetOf(targetBytes, e.hardlinkTo()));
                stats.others.incrementAndGet();
                return null;
            }
            switch (m.kind()) {
                case DIRECTORY -> {
                    try {
                        Files.createDirectory(t);
                    } catch (FileAlreadyExistsException ex) {
                        if (!Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
                            throw ex;
                        }
                    }
                    directories.add(e);
                    stats.dirs.incrementAndGet();
                    return null;
                }
                case SYMLINK -> {
                    Files.deleteIfExists(t);
                    Files.createSymbolicLink(t, RawPath.linkTarget(m.linkTarget()));
                    writers.get().apply(t, m, options.restoreOwnership());
                    stats.others.incrementAndGet();
                    return null;
                }
                case FIFO -> {
                    Files.deleteIfExists(t);
                    SpecialFiles.mkfifo(t, m.mode());
                    writers.get().apply(t, m, options.restoreOwnership());
                    stats.others.incrementAndGet();
                    return null;
                }
                case CHAR_DEVICE, BLOCK_DEVICE -> {
                    if (!options.restoreOwnership()) {
                        report.accept(new FileProblem(e.path(), FileProblem.Kind.OTHER,
                                "device node not restored: only root can create device nodes"));
                        return null;
                    }
                    Files.deleteIfExists(t);
                    SpecialFiles.mknod(t, m.kind(), m.mode(), m.rdev());
                    writers.get().apply(t, m, options.restoreOwnership());
                    stats.others.incrementAndGet();
                    return null;
                }
                case SOCKET -> {
                    report.accept(new FileProblem(e.path(), FileProblem.Kind.OTHER,
                            "socket not restored: sockets belong to the process that made them"));
                    return null;
                }
                case REGULAR -> {
                    Files.deleteIfExists(t);
                    Files.createFile(t);
                    return new ContentJob(e, t);
                }
                default -> throw new IllegalStateException("unknown kind " + m.kind());
            }
        } catch (IOException | RuntimeException ex) {
            report.accept(problem(e, ex));
            return null;
        }
    }

    private void writeContent(ContentJob job, RestoreOptions options, Consumer<FileProblem> report) {
        TreeEntry e = job.entry();
        try {
            try (FileChannel ch = FileChannel.open(job.file(), StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                SparseFileWriter writer = new SparseFileWriter(ch);
                List<ChunkRef> chunks = e.chunks();
                ArrayDeque<CompletableFuture<byte[]>> ahead = new ArrayDeque<>();
                int next = 0;
                try {
                    for (ChunkRef c : chunks) {
                        while (next < chunks.size() && ahead.size() < blobs.readAhead()) {
                            ahead.add(blobs.fetch(chunks.get(next++).id()));
                        }
                        byte[] plain = codec.open(c.id(), BlobKind.DATA, BlobSource.await(ahead.poll()),
                                BackupRunner.MAX_BLOB);
                        writer.write(plain, 0, plain.length);
                        stats.bytes.addAndGet(plain.length);
                    }
                } finally {
                    // reads still in flight after a failure complete on their own; nothing waits for them
                    ahead.clear();
                }
                writer.finish();
            }
            writers.get().apply(job.file(), e.meta(), options.restoreOwnership());
            stats.files.incrementAndGet();
        } catch (IOException | RuntimeException ex) {
            report.accept(problem(e, ex));
            try {
                // Never leave a file whose content is wrong under its real name.
                Files.deleteIfExists(job.file());
            } catch (IOException cleanup) {
                report.accept(problem(e, cleanup));
            }
        }
    }

    private static FileProblem problem(TreeEntry e, Exception ex) {
        return new FileProblem(e.path(), FileProblem.Kind.OTHER,
                "not restored: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
    }

    static boolean included(byte[] path, List<byte[]> include) {
        if (include.isEmpty()) {
            return true;
        }
        for (byte[] prefix : include) {
            if (isSameOrBelow(path, prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSameOrBelow(byte[] path, byte[] prefix) {
        int n = prefix.length;
        while (n > 1 && prefix[n - 1] == '/') {
            n--;
        }
        if (path.length < n || !Arrays.equals(path, 0, n, prefix, 0, n)) {
            return false;
        }
        return path.length == n || path[n] == '/' || n == 1;
    }

    /** The restore location of a stored absolute path; refuses components that could escape. */
    static Path targetOf(byte[] targetDir, byte[] path) {
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                int len = i - start;
                if (i > 0 && (len == 0 && i != path.length && start != 0
                        || len == 1 && path[start] == '.'
                        || len == 2 && path[start] == '.' && path[start + 1] == '.')) {
                    throw new IllegalArgumentException("refusing to restore unsafe path " + RawPath.escape(path));
                }
                start = i + 1;
            }
        }
        byte[] joined = new byte[targetDir.length + path.length];
        System.arraycopy(targetDir, 0, joined, 0, targetDir.length);
        System.arraycopy(path, 0, joined, targetDir.length, path.length);
        return RawPath.of(joined);
    }
}
