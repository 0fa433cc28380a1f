package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.retention.SnapshotFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice prune} through the CLI on repositories made by real backups. */
class PruneCommandTest {
    @TempDir
    Path dir;

    /** Version i of the source: a shared file in every version and a file of its own, each in its own directory. */
    private Path version(int i) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src-" + i));
        TreeFixture.create().randomFile("shared.bin", 300_000, 1).randomFile("own-" + i + ".bin", 200_000, 100 + i)
                .file("note.txt", "version " + i + "\n").materialise(src);
        return src;
    }

    private static long dataBytes(Path repo) throws Exception {
        try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private List<String> backups(LocalRepo repo, int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(repo.backup(version(i).toString()).expect(0).jsonString("snapshot"));
        }
        return ids;
    }

    @Test
    void keepsTheNewestRestoresThemExactlyAndFreesTheUniqueDataOfTheOthersWithoutAnyKey() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        List<String> ids = backups(repo, 5);
        long before = dataBytes(repo.repo());
        assertTrue(before > 300_000 + 5 * 200_000, "before " + before);

        // no key anywhere: the key file is moved away, and neither the command line nor the environment names one
        Path away = dir.resolve("key-away");
        Files.move(repo.key(), away);
        String[] command = {"prune", "--repo", repo.repo().toString(), "--keep-last", "2", "--json"};
        for (String a : command) {
            assertFalse(a.contains("key") && !a.startsWith("--keep"), a);
        }
        Map<String, String> env = Map.of();
        CliRun prune = CliRun.with(env, command).expect(0);
        assertEquals(2, prune.json("kept"), prune.toString());
        assertEquals(3, prune.json("forgotten"));
        assertEquals(3, prune.json("snapshots_removed"));
        long freed = prune.json("bytes_freed");
        assertTrue(freed > 3 * 190_000, prune.toString());
        long after = dataBytes(repo.repo());
        assertTrue(after < 300_000 + 2 * 200_000 + 100_000, "after " + after + ", freed " + freed);
        assertEquals(before - after, prune.json("pack_bytes_before") - prune.json("pack_bytes_after"));
        CliRun.of("check", "--repo", repo.repo().toString()).expect(0);
        Files.move(away, repo.key());

        repo.check(true).expect(0);
        for (int i = 3; i < 5; i++) {
            Path target = dir.resolve("restore-" + i);
            repo.restore(ids.get(i), target).expect(0);
            TreeAssert.assertSameTree(dir.resolve("src-" + i),
                    LocalRepo.restored(target, dir.resolve("src-" + i)));
        }
        CliRun gone = repo.restore(ids.get(0), dir.resolve("restore-0"));
        assertTrue(gone.exit() != 0 && gone.err().contains("no snapshot"), gone.toString());
    }

    @Test
    void textOutputNamesEveryDecisionAndTheRulesThatKeep() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        List<String> ids = backups(repo, 3);
        CliRun dry = CliRun.of("prune", "--repo", repo.repo().toString(), "--keep-last", "1", "--keep-daily", "1",
                "--dry-run").expect(0);
        String out = dry.out();
        assertTrue(out.contains("keep    " + ids.get(2).substring(0, 8)) && out.contains("last,daily"), out);
        assertTrue(out.contains("forget  " + ids.get(0).substring(0, 8)), out);
        assertTrue(out.contains("3 snapshot(s): 1 kept, 2 would be forgotten"), out);
        assertTrue(out.contains("dry run: would delete"), out);
        CliRun.of("snapshots", "--repo", repo.repo().toString()).expect(0).out().contains("3 snapshot(s)");
        CliRun real = CliRun.of("prune", "--repo", repo.repo().toString(), "--keep-within", "1d").expect(0);
        assertTrue(real.out().contains("3 kept, 0 forgotten") && real.out().contains("within"), real.out());
    }

    @Test
    void aPolicyThatKeepsNothingIsAUsageError() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        backups(repo, 1);
        CliRun r = CliRun.of("prune", "--repo", repo.repo().toString()).expect(ExitCode.USAGE);
        assertTrue(r.err().contains("no keep rule given"), r.toString());
        CliRun.of("prune", "--repo", repo.repo().toString(), "--keep-daily", "0").expect(ExitCode.USAGE);
        CliRun.of("prune", "--repo", repo.repo().toString(), "--keep-within", "3x").expect(ExitCode.USAGE);
        CliRun.of("prune", "--repo", dir.resolve("nothing").toString(), "--keep-last", "1").expect(ExitCode.NO_REPOSITORY);
        assertFalse(Files.exists(dir.resolve("nothing")));
    }

    @Test
    void pruneAndBackupExcludeEachOtherThroughTheRepositoryLock() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        backups(repo, 2);
        RepositoryLock.Owner owner = RepositoryLock.Owner.current();
        try (Repository r = Repository.open(repo.repo());
                RepositoryLock backupRunning = r.lock(RepositoryLock.Mode.SHARED, owner, Clock.systemUTC())) {
            CliRun locked = CliRun.of("prune", "--repo", repo.repo().toString(), "--keep-last", "1");
            assertEquals(ExitCode.LOCKED, locked.exit(), locked.toString());
        }
        try (Repository r = Repository.open(repo.repo());
                RepositoryLock pruneRunning = r.lock(RepositoryLock.Mode.EXCLUSIVE, owner, Clock.systemUTC())) {
            CliRun backup = repo.backup(version(7).toString());
            assertEquals(ExitCode.LOCKED, backup.exit(), backup.toString());
            assertEquals(ExitCode.LOCKED, repo.check(false).exit());
        }
        CliRun.of("prune", "--repo", repo.repo().toString(), "--keep-last", "1").expect(0);
        repo.check(true).expect(0);
    }

    @Test
    void theRetentionBlockOfAConfigFileApplies() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, """
                global:
                  host: testhost
                jobs:
                  - name: kept-two
                    paths: [%s]
                    repository: %s
                    key_file: %s
                    retention:
                      keep_last: 2
                  - name: no-policy
                    paths: [%s]
                    repository: %s
                    key_file: %s
                """.formatted(version(0), repo.repo(), repo.key(), version(1), repo.repo(), repo.key()));
        for (int i = 0; i < 3; i++) {
            CliRun.of("backup", "-c", config.toString(), "--quiet").expect(0);
        }
        CliRun prune = CliRun.of("prune", "-c", config.toString(), "--json").expect(0);
        assertEquals(2, prune.json("kept"), prune.toString());
        assertEquals(1, prune.json("forgotten"));
        assertTrue(prune.err().contains("job no-policy has no retention block"), prune.toString());
        CliRun list = CliRun.of("snapshots", "--repo", repo.repo().toString(), "--json").expect(0);
        assertEquals(5, list.out().split("\"id\"").length - 1, list.out());
        CliRun.of("prune", "-c", config.toString(), "no-policy").expect(ExitCode.USAGE);
        CliRun.of("prune", "-c", config.toString(), "--keep-last", "1").expect(ExitCode.USAGE);
        repo.check(true).expect(0);
    }

    @Test
    void aSinkConfigPrunesEachClientJobByItsPolicy() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        SnapshotFixture fixture = new SnapshotFixture(3);
        Instant t = Instant.parse("2025-05-01T00:00:00Z");
        for (int i = 0; i < 4; i++) {
            fixture.add(repo.repo(), "home", "web-1", t.plusSeconds(3600L * i));
            fixture.add(repo.repo(), "home", "web-2", t.plusSeconds(3600L * i));
            fixture.add(repo.repo(), "etc", "web-1", t.plusSeconds(3600L * i));
        }
        Path config = Files.writeString(dir.resolve("sink.yaml"), """
                global:
                  listen: {stdinserver: {clients: [web-1, web-2]}}
                  sink:
                    repository: %s
                    clients:
                      web-1: {jobs: [home, etc], retention: {keep_last: 2}, job_retention: {home: {keep_last: 1}}}
                      web-2: {jobs: [home]}
                """.formatted(repo.repo()));
        CliRun prune = CliRun.of("prune", "-c", config.toString(), "--json").expect(0);
        assertEquals(3, prune.json("kept"), prune.toString());
        assertEquals(5, prune.json("forgotten"), prune.toString());
        Map<String, List<Instant>> left = SnapshotFixture.times(repo.repo());
        assertEquals(List.of(t.plusSeconds(3 * 3600)), left.get("home@web-1"));
        assertEquals(List.of(t.plusSeconds(2 * 3600), t.plusSeconds(3 * 3600)), left.get("etc@web-1"));
        assertEquals(4, left.get("home@web-2").size(), "web-2 has no policy");
        repo.check(false).expect(0);
    }

    @Test
    void unlockRemovesTheLockOfAKilledProcessOnly() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        try (Repository r = Repository.open(repo.repo())) {
            r.lock(RepositoryLock.Mode.EXCLUSIVE, new RepositoryLock.Owner(RepositoryLock.Owner.current().host(),
                    dead.pid()), Clock.systemUTC()); // never closed: as if the process had been killed
        }
        assertEquals(ExitCode.LOCKED, repo.check(false).exit());
        CliRun unlock = CliRun.of("unlock", "--repo", repo.repo().toString()).expect(0);
        assertTrue(unlock.out().contains("1 stale lock(s) removed"), unlock.toString());
        repo.check(false).expect(0);
    }
}
