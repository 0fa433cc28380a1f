package dev.sluice.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Writes the deterministic comparison data set and applies the deterministic change set to it.
 *
 * <p>Same spec, same bytes, names, modes, symlinks and modification times on every run.
 */
public final class DataSetWriter {

    /** 2024-01-01T00:00:00Z, the modification time base of the generated files. */
    static final long BASE_EPOCH_SECONDS = 1_704_067_200L;

    /** Modification time base of files touched by the change set: one day later. */
    static final long CHANGE_EPOCH_SECONDS = BASE_EPOCH_SECONDS + 86_400L;

    /** Bytes inserted in the middle of a large file so that everything after them shifts. */
    static final int INSERTED_BYTES = 100;

    private static final int FILES_PER_DIR = 100;
    private static final int DIRS_PER_TOP = 20;
    private static final Set<PosixFilePermission> REGULAR = PosixFilePermissions.fromString("rw-r--r--");

    private final DataSetSpec spec;

    public DataSetWriter(DataSetSpec spec) {
        this.spec = spec;
    }

    /** Creates the data set under {@code root}, which must not exist yet or be empty. */
    public void generate(Path root) throws IOException {
        Files.createDirectories(root);
        try (Stream<Path> entries = Files.list(root)) {
            if (entries.findAny().isPresent()) {
                throw new IOException("Data set directory " + root + " is not empty; remove it first.");
            }
        }
        Path large = Files.createDirectories(root.resolve("large"));
        for (int j = 0; j < spec.largeFiles(); j++) {
            writeLarge(large.resolve(largeName(j)), j);
        }
        for (int i = 0; i < spec.smallFiles(); i++) {
            writeSmall(root, i);
        }
        Path small = root.resolve("small");
        Files.createDirectories(small.resolve("emptydir"));
        Path empty = Files.write(small.resolve("empty"), new byte[0]);
        Files.setLastModifiedTime(empty, FileTime.from(java.time.Instant.ofEpochSecond(BASE_EPOCH_SECONDS)));
        Files.createSymbolicLink(small.resolve("dangling"), Path.of("does-not-exist"));
        Files.createSymbolicLink(small.resolve("to-large"), Path.of("..", "large", largeName(0)));
        setDirectoryTimes(root);
    }

    /** Applies the change set to a data set generated from the same spec and returns what changed. */
    public ChangeSummary applyChanges(Path root) throws IOException {
        long ideal = 0;
        int rewritten = 0;
        int deleted = 0;
        int stamp = 0;
        for (int i = 0; i < spec.smallFiles(); i++) {
            Path file = smallFile(root, i);
            if (i % 100 == 50) {
                byte[] content = content(i, (int) Files.size(file), 1_000_000L);
                Files.write(file, content);
                touch(file, stamp++);
                ideal += content.length;
                rewritten++;
            } else if (i % 500 == 17) {
                Files.delete(file);
                deleted++;
            }
        }
        int additions = Math.max(1, spec.smallFiles() / 500);
        Path fresh = Files.createDirectories(root.resolve("small").resolve("new"));
        for (int k = 0; k < additions; k++) {
            int size = smallSize(2_000_000L + k);
            // Most new files land in a new directory, every tenth one in an existing directory.
            Path file = k % 10 == 0 ? smallFile(root, k * FILES_PER_DIR).resolveSibling("added-" + k + ".txt")
                    : fresh.resolve("g" + k + ".txt");
            Files.createDirectories(file.getParent());
            Files.write(file, content(k, size, 2_000_000L));
            touch(file, stamp++);
            ideal += size;
        }
        Path large = root.resolve("large");
        ideal += overwrite(large.resolve(largeName(1)), stamp++);
        ideal += append(large.resolve(largeName(3)), stamp++);
        ideal += insert(large.resolve(largeName(2)), stamp++);
        return new ChangeSummary(ideal, rewritten, additions, deleted);
    }

    /** Large file {@code j}: even indexes random, odd indexes text. */
    static String largeName(int j) {
        return j % 2 == 0 ? "random-" + j / 2 + ".bin" : "text-" + j / 2 + ".txt";
    }

    private void writeLarge(Path file, int j) throws IOException {
        long size = spec.largeFileBytes();
        int blocks = (int) ((size + SampleData.MIB - 1) / SampleData.MIB);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            IntStream.range(0, blocks).parallel().forEach(b -> {
                int length = (int) Math.min(SampleData.MIB, size - (long) b * SampleData.MIB);
                long seed = 0x5EED_0000_0000L + ((long) j << 32) + b;
                byte[] block = j % 2 == 0 ? SampleData.random(length, seed) : SampleData.text(length, seed);
                writeFully(out, ByteBuffer.wrap(block), (long) b * SampleData.MIB, file);
            });
        }
        Files.setPosixFilePermissions(file, REGULAR);
        Files.setLastModifiedTime(file, FileTime.from(java.time.Instant.ofEpochSecond(BASE_EPOCH_SECONDS)));
    }

    private void writeSmall(Path root, int i) throws IOException {
        Path file = smallFile(root, i);
        Files.createDirectories(file.getParent());
        Files.write(file, content(i, smallSize(i), 0));
        String mode = i % 10 == 3 ? "rwxr-xr-x" : i % 10 == 4 ? "rw-------" : "rw-r--r--";
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        Files.setLastModifiedTime(file, FileTime.from(java.time.Instant.ofEpochSecond(BASE_EPOCH_SECONDS + i)));
        if (i % 1000 == 5) {
            Files.createSymbolicLink(file.resolveSibling("link-" + i), file.getFileName());
        }
    }

    /** Path of small file {@code i}: small/dTT/eLL/fI.txt (text) or .bin (random), 100 files per leaf. */
    private static Path smallFile(Path root, int i) {
        int leaf = i / FILES_PER_DIR;
        return root.resolve("small")
                .resolve(String.format("d%03d", leaf / DIRS_PER_TOP))
                .resolve(String.format("e%03d", leaf % DIRS_PER_TOP))
                .resolve("f" + i + (i % 2 == 0 ? ".txt" : ".bin"));
    }

    /** Log-uniform size between 100 bytes and 64 KiB (mean about 10 KiB). */
    private static int smallSize(long seed) {
        double u = new SplittableRandom(0xA11CE + seed).nextDouble();
        return (int) Math.round(100 * Math.pow(65_536.0 / 100, u));
    }

    private static byte[] content(int i, int size, long salt) {
        long seed = 0xF11E_0000L + salt + i;
        return i % 2 == 0 ? SampleData.text(size, seed) : SampleData.random(size, seed);
    }

    private static long overwrite(Path file, int stamp) throws IOException {
        long size = Files.size(file);
        int length = (int) Math.min(SampleData.MIB, size / 2);
        long offset = size / 3;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writeFully(out, ByteBuffer.wrap(SampleData.random(length, 0xC4A_1L)), offset, file);
        }
        touch(file, stamp);
        return length;
    }

    private static long append(Path file, int stamp) throws IOException {
        byte[] tail = SampleData.text(SampleData.MIB, 0xC4A_2L);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writeFully(out, ByteBuffer.wrap(tail), out.size(), file);
        }
        touch(file, stamp);
        return tail.length;
    }

    private static long insert(Path file, int stamp) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".insert.tmp");
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            long middle = size / 2;
            transfer(in, 0, middle, out, file);
            writeFully(out, ByteBuffer.wrap(SampleData.random(INSERTED_BYTES, 0xC4A_3L)), middle, temporary);
            out.position(middle + INSERTED_BYTES);
            transfer(in, middle, size - middle, out, file);
        }
        Files.setPosixFilePermissions(temporary, REGULAR);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        touch(file, stamp);
        return INSERTED_BYTES;
    }

    private static void transfer(FileChannel in, long from, long count, FileChannel out, Path file) throws IOException {
        long done = 0;
        while (done < count) {
            long n = in.transferTo(from + done, count - done, out);
            if (n <= 0) {
                throw new IOException("Copying " + file + " stalled at byte " + (from + done) + ".");
            }
            done += n;
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer data, long position, Path file) {
        try {
            long at = position;
            while (data.hasRemaining()) {
                at += out.write(data, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Writing " + file + " at byte " + position + " failed", e);
        }
    }

    private static void touch(Path file, int stamp) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(java.time.Instant.ofEpochSecond(CHANGE_EPOCH_SECONDS + stamp)));
    }

    private static void setDirectoryTimes(Path root) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).forEach(dirs::add);
        }
        FileTime time = FileTime.from(java.time.Instant.ofEpochSecond(BASE_EPOCH_SECONDS));
        for (Path dir : dirs) {
            Files.setLastModifiedTime(dir, time);
        }
    }
}
