package dev.sluice.engine.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.SnapshotId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sealed payload's encoding: version 2 with the source's view, version 1 still read, damage refused. */
class SnapshotPayloadTest {
    private static final List<byte[]> ROOTS = List.of("/srv/www".getBytes(StandardCharsets.UTF_8),
            new byte[] {'/', (byte) 0xff, 'x'});
    private static final List<BlobId> TREES = List.of(id(1), id(2));

    private static BlobId id(int b) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) b);
        return BlobId.of(bytes);
    }

    private static SnapshotId parent() {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) 7);
        return SnapshotId.of(bytes);
    }

    @Test
    void version2KeepsTheSourcesJobHostTimeAndParent() throws IOException {
        SnapshotPayload.Source source = new SnapshotPayload.Source("www", "web-1.example",
                Instant.parse("2026-11-27T22:40:01.123456789Z"), parent());
        byte[] encoded = new SnapshotPayload(ROOTS, TREES, source).encode();
        assertEquals(2, encoded[0]);
        SnapshotPayload back = SnapshotPayload.decode(encoded);
        assertEquals(source, back.source());
        assertEquals(TREES, back.treeBlobs());
        assertEquals(ROOTS.size(), back.roots().size());
        for (int i = 0; i < ROOTS.size(); i++) {
            assertArrayEquals(ROOTS.get(i), back.roots().get(i));
        }
        SnapshotPayload.Source first = new SnapshotPayload.Source("www", "h", Instant.ofEpochSecond(5), null);
        assertEquals(first, SnapshotPayload.decode(new SnapshotPayload(ROOTS, TREES, first).encode()).source());
    }

    @Test
    void version1PayloadsAreStillReadWithoutASourceView() throws IOException {
        byte[] encoded = new SnapshotPayload(ROOTS, TREES, null).encode();
        assertEquals(1, encoded[0]);
        SnapshotPayload back = SnapshotPayload.decode(encoded);
        assertNull(back.source());
        assertEquals(TREES, back.treeBlobs());
    }

    @Test
    void damageIsRefused() {
        SnapshotPayload.Source source = new SnapshotPayload.Source("www", "h", Instant.ofEpochSecond(5), parent());
        byte[] good = new SnapshotPayload(ROOTS, TREES, source).encode();
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(IOException.class, () -> SnapshotPayload.decode(longer)).getMessage()
                .contains("after its end"));
        byte[] shorter = Arrays.copyOf(good, good.length - 1);
        assertThrows(IOException.class, () -> SnapshotPayload.decode(shorter));
        byte[] version = good.clone();
        version[0] = 3;
        assertTrue(assertThrows(IOException.class, () -> SnapshotPayload.decode(version)).getMessage()
                .contains("version 3"));
        // the parent flag follows job (2+3), host (2+1), seconds (8) and nanoseconds (4)
        byte[] flag = good.clone();
        flag[1 + 5 + 3 + 8 + 4] = 2;
        assertTrue(assertThrows(IOException.class, () -> SnapshotPayload.decode(flag)).getMessage()
                .contains("parent flag"));
    }
}
