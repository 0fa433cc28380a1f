package dev.sluice.engine.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TargetLock} between processes: a child JVM holds the lock, this one is refused until the child ends. */
class TargetLockTest {

    @TempDir
    Path tmp;

    /** A child JVM that holds the lock of {@code file} as {@code holder}; returns once it says so. */
    static Process holdInChild(Path file, String holder) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TargetLockChild.class.getName(), file.toString(), holder)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("held", r.readLine(), "the child took the lock");
        return p;
    }

    /** Ends the child by closing its stdin, as a process that ends its run. */
    static void end(Process child) throws Exception {
        child.getOutputStream().close();
        assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the child did not end");
    }

    @Test
    void anotherProcessHoldingTheLockIsSeenWithItsHolderUntilItEnds() throws Exception {
        Path file = TargetLock.file(tmp.resolve("cache"), tmp.resolve("target"));
        Process child = holdInChild(file, "a run from peer 'donor' in process 42");
        try {
            assertNull(TargetLock.take(file, "me"), "the lock is another process's");
            assertEquals("a run from peer 'donor' in process 42", TargetLock.holder(file));
        } finally {
            end(child);
        }
        try (TargetLock mine = TargetLock.take(file, "me")) {
            assertNotNull(mine, "free once the other process ended");
            assertEquals("me", TargetLock.holder(file));
        }
        assertTrue(Files.exists(file), "the lock file stays");
    }

    @Test
    void aKilledHolderLetsTheLockGo() throws Exception {
        Path file = TargetLock.file(tmp.resolve("cache"), tmp.resolve("target"));
        Process child = holdInChild(file, "killed later");
        child.destroyForcibly();
        assertTrue(child.waitFor(20, TimeUnit.SECONDS));
        try (TargetLock mine = TargetLock.take(file, "me")) {
            assertNotNull(mine, "the kernel let the killed process's lock go");
        }
    }
}
