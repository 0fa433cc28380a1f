package dev.sluice.engine.mirror;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.MetadataReader;
import dev.sluice.engine.fs.MetadataWriter;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.fs.SpecialFiles;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.mirror.dest.MirrorRefusedException;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.engine.mirror.dest.MirrorTargetStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Test double: a plain java.nio {@link MirrorTarget} without the real target's safety (no directory handles), so the
 * protocol can be tested before and independently of mirror.dest. Refuses only the obvious path forms
 * ({@code ..}, absolute, empty, NUL). Snapshots are {@code snap-000001}, ...; the partial tree is {@code .partial}.
 */
final class PlainMirrorTarget implements MirrorTarget {
    private final Path root;
    private final MirrorOptions options;
    private final Path tree;
    private final Path previous;
    private final Set<String> seen = new HashSet<>();
    private final List<Object[]> dirs = new ArrayList<>();
    private final MetadataWriter meta = new MetadataWriter();
    private long written;
    private long keptFiles;
    private long bytesWritten;
    private long bytesCopied;
    private boolean done;

    PlainMirrorTarget(Path root, MirrorOptions options) throws IOException {
        this.root = root;
        this.options = options;
        Files.createDirectories(root);
        if (options.layout() == MirrorOptions.Layout.IN_PLACE) {
            tree = root;
            previous = root;
        } else {
            previous = newest(root);
            tree = root.resolve(".partial");
            deleteTree(tree);
            Files.createDirectory(tree);
        }
    }

    static TargetFactory factory() {
        return PlainMirrorTarget::new;
    }

    static Path newest(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("snap-")).max(Comparator.naturalOrder())
                    .orElse(null);
        }
    }

    private Path resolve(Path base, byte[] path) throws IOException {
        if (path.length == 0 || path[0] == '/') {
            throw new MirrorRefusedException("path '" + RawPath.escape(path) + "' is empty or absolute");
        }
        Path p = base;
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                byte[] name = java.util.Arrays.copyOfRange(path, start, i);
                if (name.length == 0 || (name.length == 1 && name[0] == '.')
                        || (name.length == 2 && name[0] == '.' && name[1] == '.')) {
                    throw new MirrorRefusedException("path '" + RawPath.escape(path) + "' has a component '"
                            + RawPath.escape(name) + "'");
                }
                for (byte b : name) {
                    if (b == 0) {
                        throw new MirrorRefusedException("path '" + RawPath.escape(path) + "' has a NUL byte");
                    }
                }
                p = RawPath.resolve(p, name);
                start = i + 1;
            }
        }
        if (!seen.add(RawPath.escape(path))) {
            throw new MirrorRefusedException("path '" + RawPath.escape(path) + "' was given twice");
        }
        return p;
    }

    @Override
    public Optional<Basis> basis(byte[] path) throws IOException {
        if (previous == null) {
            return Optional.empty();
        }
        Path p = previous;
        for (String part : new String(path, java.nio.charset.StandardCharsets.ISO_8859_1).split("/")) {
            p = RawPath.resolve(p, part.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        FileMeta m = new MetadataReader().read(p);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        return Optional.of(new Basis() {
            @Override
            public FileMeta meta() {
                return m;
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return ch.read(dst, position);
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        });
    }

    private Path basisFile(byte[] path) {
        Path p = previous;
        for (String part : new String(path, java.nio.charset.StandardCharsets.ISO_8859_1).split("/")) {
            p = RawPath.resolve(p, part.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        return p;
    }

    @Override
    public void directory(byte[] path, FileMeta m) throws IOException {
        Path p = resolve(tree, path);
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(p);
            Files.createDirectory(p);
        }
        dirs.add(new Object[] {p, m});
    }

    @Override
    public FileWriter file(byte[] path, FileMeta m) throws IOException {
        Path p = resolve(tree, path);
        Path tmp = p.resolveSibling(".tmp-" + p.getFileName());
        FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Path basis = previous == null ? null : basisFile(path);
        return new FileWriter() {
            long pos;
            boolean committed;

            @Override
            public void write(ByteBuffer data) throws IOException {
                pos += data.remaining();
                bytesWritten += data.remaining();
                while (data.hasRemaining()) {
                    out.write(data);
                }
            }

            @Override
            public void copyFromBasis(long offset, long length) throws IOException {
                try (FileChannel in = FileChannel.open(basis, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                    if (offset + length > in.size()) {
                        throw new MirrorRefusedException("copy beyond the basis");
                    }
                    long done = 0;
                    while (done < length) {
                        done += in.transferTo(offset + done, length - done, out);
                    }
                }
                pos += length;
                bytesCopied += length;
            }

            @Override
            public long position() {
                return pos;
            }

            @Override
            public void commit() throws IOException {
                out.close();
                Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                meta.apply(p, m, true);
                committed = true;
                written++;
            }

            @Override
            public void abort() {
                try {
                    out.close();
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public void close() {
                if (!committed) {
                    abort();
                }
            }
        };
    }

    @Override
    public void keep(byte[] path, FileMeta m) throws IOException {
        Path p = resolve(tree, path);
        if (tree != previous) {
            Files.createLink(p, basisFile(path));
        }
        meta.apply(p, m, true);
        keptFiles++;
    }

    @Override
    public void symlink(byte[] path, byte[] target, FileMeta m) throws IOException {
        Path p = resolve(tree, path);
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(p);
        }
        Files.createSymbolicLink(p, RawPath.linkTarget(target));
        meta.apply(p, m, true);
    }

    @Override
    public void special(byte[] path, FileMeta m) throws IOException {
        Path p = resolve(tree, path);
        Files.deleteIfExists(p);
        if (m.kind() == FileKind.FIFO) {
            SpecialFiles.mkfifo(p, m.mode());
        } else {
            SpecialFiles.mknod(p, m.kind(), m.mode(), m.rdev());
        }
        meta.apply(p, m, true);
    }

    @Override
    public void hardlink(byte[] path, byte[] earlierPath) throws IOException {
        if (!seen.contains(RawPath.escape(earlierPath))) {
            throw new MirrorRefusedException("hardlink to '" + RawPath.escape(earlierPath) + "', not written in this run");
        }
        Path p = resolve(tree, path);
        Path earlier = tree;
        for (String part : new String(earlierPath, java.nio.charset.StandardCharsets.ISO_8859_1).split("/")) {
            earlier = RawPath.resolve(earlier, part.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        Files.deleteIfExists(p);
        Files.createLink(p, earlier);
    }

    @Override
    public MirrorTargetStats finish() throws IOException {
        long deleted = 0;
        if (options.delete() && tree == root) {
            List<Path> extra = new ArrayList<>();
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(p -> !p.equals(root)).forEach(p -> {
                    String rel = RawPath.escape(RawPath.bytes(root.relativize(p)));
                    if (!seen.contains(rel)) {
                        extra.add(p);
                    }
                });
            }
            extra.sort(Comparator.reverseOrder());
            for (Path p : extra) {
                if (Files.deleteIfExists(p)) {
                    deleted++;
                }
            }
        }
        for (int i = dirs.size() - 1; i >= 0; i--) {
            meta.apply((Path) dirs.get(i)[0], (FileMeta) dirs.get(i)[1], true);
        }
        String name = ".";
        if (tree != root) {
            Path last = newest(root);
            int n = last == null ? 1 : Integer.parseInt(last.getFileName().toString().substring(5)) + 1;
            name = String.format("snap-%06d", n);
            Files.move(tree, root.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        }
        done = true;
        return new MirrorTargetStats(name, written, keptFiles, bytesWritten, bytesCopied, deleted);
    }

    @Override
    public void abort() {
        if (!done && tree != root) {
            try {
                deleteTree(tree);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        done = true;
    }

    @Override
    public void close() {
        abort();
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
