package dev.sluice.engine.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnapshotRecordTest {
    private final Random random = new Random(30);

    private SnapshotRecord sample(SnapshotId parent) {
        return SnapshotRecord.create("db-nightly", "host-ä.example", Instant.parse("2025-01-02T03:04:05.000000006Z"),
                parent, 10, 2, 12345, 678, 9, RepositoryFixture.randomId(random), new byte[] {1, 2, 3, 4});
    }

    @Test
    void encodingRoundTripsAndTheIdIsItsHash() throws RepositoryException {
        for (SnapshotId parent : new SnapshotId[] {null, SnapshotId.of(RepositoryFixture.randomBytes(random, 32))}) {
            SnapshotRecord record = sample(parent);
            byte[] bytes = record.encode();
            SnapshotRecord back = SnapshotRecord.decode(bytes, "test");
            assertEquals(record, back);
            assertEquals(SnapshotId.of(Sha256.of(bytes)), back.id());
        }
    }

    @Test
    void everyTruncationIsAClearError() {
        byte[] bytes = sample(null).encode();
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            RepositoryException e = assertThrows(RepositoryException.class, () -> SnapshotRecord.decode(cut, "snap"));
            assertTrue(e.getMessage().startsWith("snap "), e.getMessage());
        }
    }

    @Test
    void unsupportedVersionIsNamed() {
        byte[] bytes = sample(null).encode();
        bytes[4] = 2;
        RepositoryException e = assertThrows(RepositoryException.class, () -> SnapshotRecord.decode(bytes, "snap"));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    @Test
    void invalidValuesAreRefused() {
        BlobId refs = RepositoryFixture.randomId(random);
        Instant t = Instant.EPOCH;
        assertThrows(IllegalArgumentException.class,
                () -> SnapshotRecord.create("", "h", t, null, 0, 0, 0, 0, 0, refs, new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> SnapshotRecord.create("j", "h", t, null, -1, 0, 0, 0, 0, refs, new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> SnapshotRecord.create("j", "\ud800", t, null, 0, 0, 0, 0, 0, refs, new byte[0]));
    }

    @Test
    void idsCompareAndPrintAsDocumented() {
        BlobId low = BlobId.fromHex("00" + "ff".repeat(31));
        BlobId high = BlobId.fromHex("80" + "00".repeat(31));
        assertTrue(low.compareTo(high) < 0, "unsigned comparison");
        assertEquals("80000000", high.shortHex());
        assertEquals(high, BlobId.fromHex(high.hex().toUpperCase()));
        assertThrows(IllegalArgumentException.class, () -> BlobId.fromHex("abc"));
        assertThrows(IllegalArgumentException.class, () -> BlobId.of(new byte[31]));
        assertEquals(BlobKind.TREE, BlobKind.fromCode((byte) 2));
        assertThrows(IllegalArgumentException.class, () -> BlobKind.fromCode((byte) 9));
    }
}
