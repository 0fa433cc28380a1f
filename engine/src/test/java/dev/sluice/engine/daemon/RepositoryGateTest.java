package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A daemon backup waits for a prune of the same repository; a prune finding a backup is turned away at once. */
class RepositoryGateTest {
    private final RepositoryGate gate = new RepositoryGate();
    private final Path repo = Path.of("/srv/repo");

    @Test
    void aBackupWaitsForAPruneOfTheSameRepository() throws Exception {
        CountDownLatch pruning = new CountDownLatch(1);
        CountDownLatch finishPrune = new CountDownLatch(1);
        CompletableFuture<String> prune = CompletableFuture.supplyAsync(() -> gate.prune(repo, () -> {
            pruning.countDown();
            await(finishPrune);
            return "pruned";
        }, () -> "busy"));
        assertTrue(pruning.await(30, TimeUnit.SECONDS));
        AtomicBoolean backupRan = new AtomicBoolean();
        Thread backup = new Thread(() -> gate.backup(Path.of("/srv/./repo"), () -> {
            backupRan.set(true);
            return null;
        }));
        backup.start();
        while (backup.getState() != Thread.State.WAITING && backup.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait(); // until the backup reached the gate and waits there (or, wrongly, ran)
        }
        assertFalse(backupRan.get(), "the backup ran while the prune held the gate");
        assertEquals("ran", gate.backup(Path.of("/srv/other"), () -> "ran"), "another repository is not held");
        finishPrune.countDown();
        assertEquals("pruned", prune.get(30, TimeUnit.SECONDS));
        backup.join(30_000);
        assertTrue(backupRan.get());
    }

    @Test
    void aPruneFindingABackupIsDeferred() throws Exception {
        CountDownLatch backingUp = new CountDownLatch(1);
        CountDownLatch finishBackup = new CountDownLatch(1);
        CompletableFuture<Void> backup = CompletableFuture.runAsync(() -> gate.backup(repo, () -> {
            backingUp.countDown();
            await(finishBackup);
            return null;
        }));
        assertTrue(backingUp.await(30, TimeUnit.SECONDS));
        assertEquals("busy", gate.prune(repo, () -> "pruned", () -> "busy"));
        finishBackup.countDown();
        backup.get(30, TimeUnit.SECONDS);
        assertEquals("pruned", gate.prune(repo, () -> "pruned", () -> "busy"));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the test did not release the latch");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
