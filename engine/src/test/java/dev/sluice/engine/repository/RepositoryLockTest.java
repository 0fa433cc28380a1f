package dev.sluice.engine.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryLockTest {
    private static final RepositoryLock.Owner ME = RepositoryLock.Owner.current();

    @TempDir
    Path dir;
    Repository repo;

    @BeforeEach
    void setUp() throws IOException {
        repo = RepositoryFixture.init(dir.resolve("repo"));
    }

    private RepositoryLock lock(RepositoryLock.Mode mode, RepositoryLock.Owner owner) throws IOException {
        return repo.lock(mode, owner, RepositoryFixture.CLOCK);
    }

    @Test
    void sharedLocksCoexistAndExclusiveConflictsBothWays() throws IOException {
        try (RepositoryLock a = lock(RepositoryLock.Mode.SHARED, ME);
             RepositoryLock b = lock(RepositoryLock.Mode.SHARED, ME)) {
            assertEquals(2, RepositoryLock.list(repo.layout()).size());
            RepositoryLockedException e = assertThrows(RepositoryLockedException.class,
                    () -> lock(RepositoryLock.Mode.EXCLUSIVE, ME));
            assertEquals(2, e.holders().size());
            assertTrue(e.getMessage().contains("pid " + ME.pid()), e.getMessage());
            assertEquals(2, RepositoryLock.list(repo.layout()).size(), "the refused lock left no file");
        }
        assertEquals(List.of(), RepositoryLock.list(repo.layout()), "closing released both");
        try (RepositoryLock x = lock(RepositoryLock.Mode.EXCLUSIVE, ME)) {
            assertThrows(RepositoryLockedException.class, () -> lock(RepositoryLock.Mode.SHARED, ME));
            assertThrows(RepositoryLockedException.class, () -> lock(RepositoryLock.Mode.EXCLUSIVE, ME));
        }
        lock(RepositoryLock.Mode.EXCLUSIVE, ME).close();
    }

    @Test
    void aLockOfADeadProcessOnThisHostIsStaleAndRemovable() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long deadPid = p.pid();
        RepositoryLock.Owner dead = new RepositoryLock.Owner(ME.host(), deadPid);
        RepositoryLock.Owner otherHost = new RepositoryLock.Owner(ME.host() + "-elsewhere", deadPid);
        RepositoryLock.Mode mode = RepositoryLock.Mode.SHARED;
        lock(mode, dead); // never closed: its process "died"
        lock(mode, otherHost);

        RepositoryLockedException e = assertThrows(RepositoryLockedException.class,
                () -> lock(RepositoryLock.Mode.EXCLUSIVE, ME));
        assertTrue(e.getMessage().contains("STALE") && e.getMessage().contains("pid " + deadPid), e.getMessage());

        List<RepositoryLock.LockInfo> removed = RepositoryLock.removeStale(repo.layout(), ME.host());
        assertEquals(1, removed.size());
        assertEquals(ME.host(), removed.get(0).host());
        // the other host's lock cannot be judged from here and stays
        List<RepositoryLock.LockInfo> left = RepositoryLock.list(repo.layout());
        assertEquals(1, left.size());
        assertEquals(otherHost.host(), left.get(0).host());
        assertTrue(!left.get(0).isStaleOn(ME.host()));
        Files.delete(left.get(0).file());
        lock(RepositoryLock.Mode.EXCLUSIVE, ME).close();
    }

    @Test
    void aLiveProcessIsNotStale() throws IOException {
        try (RepositoryLock a = lock(RepositoryLock.Mode.SHARED, ME)) {
            assertTrue(!a.info().isStaleOn(ME.host()));
            assertEquals(List.of(), RepositoryLock.removeStale(repo.layout(), ME.host()));
        }
    }

    @Test
    void anUnreadableLockFileBlocksWithAClearMessage() throws IOException {
        Files.writeString(repo.layout().locks().resolve("exclusive-garbage"), "nonsense");
        RepositoryLockedException e = assertThrows(RepositoryLockedException.class,
                () -> lock(RepositoryLock.Mode.SHARED, ME));
        assertTrue(e.getMessage().contains("unreadable lock file"), e.getMessage());
    }
}
