package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.backup.BackupResult;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** The delta stage asks the sink about chunks in batches: one HAS message per batch, not one per chunk. */
class BatchedHasTest {
    @TempDir
    Path dir;

    @Test
    void aFirstPushOfManyChunksSendsFarFewerHasRequestsThanChunks() throws Exception {
        try (PushHarness h = new PushHarness(dir)) {
            Random r = new Random(3);
            Path many = Files.createDirectories(h.src.resolve("many"));
            for (int i = 0; i < 1500; i++) {
                Files.write(many.resolve("f" + i), PushHarness.random(r, 200 + r.nextInt(1500)));
            }
            LocalLinks.Pair p = LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity("web-1"));
            RecordingLink wire = new RecordingLink(p.first());
            Mono<CloseReason> served = h.serve(p.second());
            BackupResult result = h.push(wire, "home");
            served.block(PushHarness.WAIT);

            long chunks = result.stats().chunksNew() + result.stats().chunksKnown();
            System.out.println("first push: " + chunks + " chunks, " + wire.hasRequests.get() + " HAS requests");
            assertTrue(chunks > 1500, "every small file is a chunk: " + chunks);
            assertTrue(wire.hasRequests.get() * 20 <= chunks, wire.hasRequests.get() + " HAS requests for "
                    + chunks + " chunks");
            assertEquals(1, h.snapshots().size());
            h.restoreAndCompare(dir.resolve("restore"));
        }
    }
}
