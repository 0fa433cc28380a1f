package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.mirror.dest.FileStamp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiver's chunk-list cache: exact stamps only, corrupt or foreign entries are absent, pruning, the key. */
class BasisCacheTest {
    @TempDir
    Path tmp;

    private static final FileStamp STAMP = new FileStamp(2049, 77, 3 * 16384 + 5, 1_000_000_123L, 2_000_000_456L);
    private static final int[] LENGTHS = {16384, 16384, 16384, 5};

    private static byte[] hashes() {
        byte[] h = new byte[LENGTHS.length * MirrorCodec.HASH];
        for (int i = 0; i < h.length; i++) {
            h[i] = (byte) (i * 7);
        }
        return h;
    }

    private BasisCache open() throws IOException {
        return BasisCache.open(tmp.resolve("cache"), tmp.resolve("target"));
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> s = Files.list(tmp.resolve("cache/mirror/basis"))) {
            Path dir = s.findFirst().orElseThrow();
            try (Stream<Path> e = Files.list(dir)) {
                return e.filter(p -> p.getFileName().toString().contains("-")).toList();
            }
        }
    }

    @Test
    void aStoredListIsFoundForExactlyTheSameStamp() throws IOException {
        open().store(STAMP, LENGTHS, hashes(), LENGTHS.length);
        BasisCache again = open();
        BasisCache.Entry e = again.lookup(STAMP).orElseThrow();
        assertEquals(LENGTHS.length, e.n());
        assertArrayEquals(LENGTHS, java.util.Arrays.copyOf(e.lengths(), e.n()));
        assertArrayEquals(hashes(), e.hashes());
        for (FileStamp other : List.of(new FileStamp(2049, 77, STAMP.size(), STAMP.mtimeNanos(), STAMP.ctimeNanos() + 1),
                new FileStamp(2049, 77, STAMP.size(), STAMP.mtimeNanos() + 1, STAMP.ctimeNanos()),
                new FileStamp(2050, 77, STAMP.size(), STAMP.mtimeNanos(), STAMP.ctimeNanos()),
                new FileStamp(2049, 78, STAMP.size(), STAMP.mtimeNanos(), STAMP.ctimeNanos()))) {
            assertEquals(Optional.empty(), again.lookup(other), other.toString());
        }
        // the same inode with another ctime: the entry is stale, deleted, and found no more
        assertEquals(Optional.empty(), open().lookup(new FileStamp(2049, 77, STAMP.size(), STAMP.mtimeNanos(), 1)));
        assertEquals(List.of(), entries());
    }

    @Test
    void lengthsThatDoNotAddUpToTheSizeAreNotStored() throws IOException {
        open().store(new FileStamp(1, 2, 100, 3, 4), LENGTHS, hashes(), LENGTHS.length);
        assertEquals(List.of(), entries());
    }

    @Test
    void anEntryWithAnyByteChangedIsAbsentAndDeleted() throws IOException {
        open().store(STAMP, LENGTHS, hashes(), LENGTHS.length);
        Path entry = entries().get(0);
        byte[] good = Files.readAllBytes(entry);
        for (int i = 0; i < good.length; i += 7) {
            byte[] bad = good.clone();
            bad[i] ^= 1;
            Files.write(entry, bad);
            assertEquals(Optional.empty(), open().lookup(STAMP), "byte " + i + " changed");
            assertFalse(Files.exists(entry));
        }
        Files.write(entry, java.util.Arrays.copyOf(good, good.length - 1));
        assertEquals(Optional.empty(), open().lookup(STAMP), "truncated");
        Files.write(entry, good);
        assertTrue(open().lookup(STAMP).isPresent(), "the intact entry");
    }

    @Test
    void theKeyIsKeptPrivateAndANewKeyDropsOldEntries() throws IOException {
        BasisCache first = open();
        first.store(STAMP, LENGTHS, hashes(), LENGTHS.length);
        assertArrayEquals(first.key(), open().key());
        Path keyFile = entries().get(0).resolveSibling("key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        Files.write(keyFile, new byte[3]);
        BasisCache renewed = open();
        assertFalse(java.util.Arrays.equals(first.key(), renewed.key()));
        assertEquals(Optional.empty(), renewed.lookup(STAMP), "an entry made with another key");
    }

    @Test
    void pruneDeletesWhatTheRunDidNotMeet() throws IOException {
        FileStamp other = new FileStamp(2049, 99, STAMP.size(), 1, 2);
        BasisCache c = open();
        c.store(STAMP, LENGTHS, hashes(), LENGTHS.length);
        c.store(other, LENGTHS, hashes(), LENGTHS.length);
        assertEquals(2, entries().size());
        BasisCache next = open();
        next.seen(other);
        next.prune();
        assertEquals(List.of(entries().get(0).resolveSibling("801-63")), entries());
        assertEquals(Optional.empty(), open().lookup(STAMP));
        assertTrue(open().lookup(other).isPresent());
    }

    @Test
    void noCacheFindsNothingAndKeepsNothing() throws IOException {
        BasisCache none = BasisCache.none();
        none.store(STAMP, LENGTHS, hashes(), LENGTHS.length);
        assertEquals(Optional.empty(), none.lookup(STAMP));
        assertFalse(none.enabled());
        assertEquals(ChunkHash.KEY_BYTES, none.key().length);
    }
}
