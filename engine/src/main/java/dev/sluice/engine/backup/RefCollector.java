package dev.sluice.engine.backup;

import dev.sluice.engine.repository.BlobId;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.function.Supplier;

/**
 * Collects the ids of every blob a snapshot references, and yields them sorted and unique for the snapshot's clear
 * reference list. Memory is bounded: up to {@link #RUN} ids are held (about 48 bytes each), then sorted and written
 * as a run of raw ids to a private temporary directory; {@link #sortedUnique()} merges the runs into one file and
 * streams it. A snapshot of up to {@code RUN} distinct chunks (about 128 GiB with 1 MiB chunks) never touches the
 * disk. {@link #close()} removes the files.
 */
final class RefCollector implements Closeable {
    /** Ids held in memory before a sorted run goes to disk. */
    static final int RUN = 1 << 17;

    private final int runLength;
    private final Supplier<Path> tempParent;
    private final List<BlobId> ids = new ArrayList<>();
    private boolean sorted = true;
    /** Sorted, unique runs on disk (after a merge: one). */
    private final List<Path> runs = new ArrayList<>();
    private final List<Closeable> readers = new ArrayList<>();
    private Path dir;
    private int fileCounter;

    /** A collector that spills to the JVM's temporary directory. */
    RefCollector() {
        this(RUN, () -> Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** A collector that holds {@code runLength} ids before it spills under {@code tempParent} (tests). */
    RefCollector(int runLength, Supplier<Path> tempParent) {
        if (runLength < 2) {
            throw new IllegalArgumentException("a run holds at least 2 ids");
        }
        this.runLength = runLength;
        this.tempParent = tempParent;
    }

    void add(BlobId id) {
        if (!ids.isEmpty() && sorted && ids.get(ids.size() - 1).compareTo(id) > 0) {
            sorted = false;
        }
        ids.add(id);
        if (ids.size() >= runLength) {
            compact();
            if (ids.size() > runLength / 2) {
                spill();
            }
        }
    }

    private void compact() {
        if (!sorted) {
            ids.sort(null);
            sorted = true;
        }
        int w = 0;
        for (int r = 0; r < ids.size(); r++) {
            if (w == 0 || !ids.get(w - 1).equals(ids.get(r))) {
                ids.set(w++, ids.get(r));
            }
        }
        ids.subList(w, ids.size()).clear();
    }

    /** Writes the held ids (sorted, unique) as a run and forgets them. */
    private void spill() {
        compact();
        Path run = newFile("run");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run),
                1 << 16))) {
            for (BlobId id : ids) {
                out.write(id.bytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a run of the reference list to " + run + ": "
                    + e.getMessage(), e);
        }
        runs.add(run);
        ids.clear();
    }

    private Path newFile(String kind) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory(tempParent.get(), "sluice-refs-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return dir.resolve(kind + "-" + fileCounter++);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a temporary directory for the reference list under "
                    + tempParent.get() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The ids added so far, ascending and unique. Without runs on disk they come from memory; otherwise the runs
     * and what is held are merged into one file first (once per batch of adds), which the iterator reads.
     */
    Iterator<BlobId> sortedUnique() {
        if (runs.isEmpty()) {
            compact();
            return ids.iterator();
        }
        if (!ids.isEmpty() || runs.size() > 1) {
            if (!ids.isEmpty()) {
                spill();
            }
            merge();
        }
        return open(runs.get(0));
    }

    /** Merges every run into one (duplicates across runs dropped) and deletes the others. */
    private void merge() {
        Path out = newFile("merged");
        List<RunReader> sources = new ArrayList<>();
        try (DataOutputStream w = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(out),
                1 << 16))) {
            PriorityQueue<RunReader> queue = new PriorityQueue<>(Comparator.comparing(r -> r.head));
            for (Path run : runs) {
                RunReader r = new RunReader(run, 1 << 14);
                sources.add(r);
                if (r.advance()) {
                    queue.add(r);
                }
            }
            BlobId last = null;
            while (!queue.isEmpty()) {
                RunReader r = queue.poll();
                if (last == null || !last.equals(r.head)) {
                    w.write(r.head.bytes());
                    last = r.head;
                }
                if (r.advance()) {
                    queue.add(r);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot merge the runs of the reference list in " + dir + ": "
                    + e.getMessage(), e);
        } finally {
            sources.forEach(RunReader::closeQuietly);
        }
        for (Path run : runs) {
            deleteQuietly(run);
        }
        runs.clear();
        runs.add(out);
    }

    private Iterator<BlobId> open(Path run) {
        RunReader r;
        try {
            r = new RunReader(run, 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the reference list in " + run + ": " + e.getMessage(), e);
        }
        readers.add(r);
        return new Iterator<>() {
            private boolean ready;
            private boolean more;

            @Override
            public boolean hasNext() {
                if (!ready) {
                    try {
                        more = r.advance();
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read the reference list in " + run + ": "
                                + e.getMessage(), e);
                    }
                    ready = true;
                    if (!more) {
                        r.closeQuietly();
                    }
                }
                return more;
            }

            @Override
            public BlobId next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = false;
                return r.head;
            }
        };
    }

    /** Splits two ascending, unique streams into the ids only in {@code now} and those only in {@code before}. */
    static void difference(Iterator<BlobId> now, Iterator<BlobId> before, List<BlobId> added, List<BlobId> removed) {
        BlobId a = now.hasNext() ? now.next() : null;
        BlobId b = before.hasNext() ? before.next() : null;
        while (a != null || b != null) {
            int c = a == null ? 1 : b == null ? -1 : a.compareTo(b);
            if (c < 0) {
                added.add(a);
            } else if (c > 0) {
                removed.add(b);
            }
            if (c <= 0) {
                a = now.hasNext() ? now.next() : null;
            }
            if (c >= 0) {
                b = before.hasNext() ? before.next() : null;
            }
        }
    }

    /** Whether ids went to disk (tests). */
    boolean spilled() {
        return dir != null;
    }

    /** Closes what is still reading and removes the temporary files. */
    @Override
    public void close() {
        readers.forEach(r -> {
            try {
                r.close();
            } catch (IOException e) {
                // a reader that cannot be closed holds nothing worth keeping
            }
        });
        readers.clear();
        for (Path run : runs) {
            deleteQuietly(run);
        }
        runs.clear();
        ids.clear();
        if (dir != null) {
            deleteQuietly(dir);
            dir = null;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary file left behind costs disk space only
        }
    }

    /** Reads a run of raw ids one at a time. */
    private static final class RunReader implements Closeable {
        private final DataInputStream in;
        private final byte[] buf = new byte[BlobId.LENGTH];
        private BlobId head;

        RunReader(Path file, int buffer) throws IOException {
            InputStream raw = Files.newInputStream(file);
            this.in = new DataInputStream(new BufferedInputStream(raw, buffer));
        }

        /** Reads the next id into {@link #head}; false at the end. */
        boolean advance() throws IOException {
            int first = in.read();
            if (first < 0) {
                head = null;
                return false;
            }
            buf[0] = (byte) first;
            try {
                in.readFully(buf, 1, buf.length - 1);
            } catch (EOFException e) {
                throw new IOException("a run of the reference list ends inside an id", e);
            }
            head = BlobId.of(buf.clone());
            return true;
        }

        void closeQuietly() {
            try {
                close();
            } catch (IOException e) {
                // nothing to keep
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
