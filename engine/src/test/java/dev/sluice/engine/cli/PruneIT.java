package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prune as a real child process: killed with SIGKILL at random moments, and run while a backup runs. After
 * every kill the repository passes check, the next prune finishes, and every kept snapshot restores exactly.
 */
class PruneIT {
    private static final int TRIALS = 20;
    private static final int SNAPSHOTS = 12;
    private static final int KEEP = 3;

    @TempDir
    Path dir;

    private Path version(int i) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src-" + i));
        TreeFixture.create().randomFile("shared.bin", 300_000, 1).randomFile("own-" + i + ".bin", 200_000, 100 + i)
                .file("note.txt", "version " + i + "\n").materialise(src);
        return src;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static Set<String> snapshotIds(Path repo) {
        CliRun list = CliRun.of("snapshots", "--repo", repo.toString(), "--json").expect(0);
        Set<String> ids = new TreeSet<>();
        Matcher m = Pattern.compile("\"id\":\"([0-9a-f]{64})\"").matcher(list.out());
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    @Test
    void sigkillAtRandomPointsOfPruneLosesNothing() throws Exception {
        LocalRepo base = LocalRepo.create(Files.createDirectories(dir.resolve("base")));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SNAPSHOTS; i++) {
            ids.add(base.backup(version(i).toString()).expect(0).jsonString("snapshot"));
        }
        Set<String> kept = new TreeSet<>(ids.subList(SNAPSHOTS - KEEP, SNAPSHOTS));
        // Aim the kills at the prune itself: between the JVM's start-up time and the time a whole prune takes.
        long startup = timed(dir.resolve("probe-version"), "--version");
        Path probe = dir.resolve("probe");
        copyTree(base.repo(), probe);
        long whole = timed(dir.resolve("probe-prune"), "prune", "--repo", probe.toString(), "--keep-last",
                String.valueOf(KEEP));
        long from = Math.max(50, startup * 8 / 10);
        long span = Math.max(100, whole - from + 50);
        Random random = new Random(20250301);
        int killedBeforeEnd = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            Path repo = dir.resolve("trial-" + trial);
            copyTree(base.repo(), repo);
            List<String> command = SluiceProcess.command(List.of(), List.of("-Xmx256m"), "prune", "--repo",
                    repo.toString(), "--keep-last", String.valueOf(KEEP));
            Process p = SluiceProcess.builder(Map.of(), command, dir.resolve("log-" + trial)).start();
            long delay = from + random.nextInt((int) span);
            if (!p.waitFor(delay, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly(); // SIGKILL
                killedBeforeEnd++;
            }
            p.waitFor(1, TimeUnit.MINUTES);

            String where = "trial " + trial + " (killed after " + delay + " ms)";
            CliRun.of("unlock", "--repo", repo.toString()).expect(0);
            CliRun check = CliRun.of("check", "--repo", repo.toString());
            assertEquals(0, check.exit(), where + ": " + check);
            CliRun again = CliRun.of("prune", "--repo", repo.toString(), "--keep-last", String.valueOf(KEEP));
            assertEquals(0, again.exit(), where + ": " + again);
            assertEquals(kept, snapshotIds(repo), where);
            CliRun.of("check", "--repo", repo.toString()).expect(0);
            try (Stream<Path> s = Files.list(repo.resolve("tmp"))) {
                assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith("pack-")), where);
            }
            if (trial % 5 == 4) {
                LocalRepo r = new LocalRepo(repo, base.key());
                r.check(true).expect(0);
                for (int i = SNAPSHOTS - KEEP; i < SNAPSHOTS; i++) {
                    Path target = dir.resolve("restore-" + trial + "-" + i);
                    r.restore(ids.get(i), target).expect(0);
                    TreeAssert.assertSameTree(dir.resolve("src-" + i), LocalRepo.restored(target, dir.resolve("src-" + i)));
                }
            }
        }
        System.out.println("PruneIT: start-up " + startup + " ms, whole prune " + whole + " ms; " + killedBeforeEnd + " of " + TRIALS + " prunes were killed before they ended");
        assertTrue(killedBeforeEnd > 0, "no prune was killed; the delays are too long for this machine");
    }

    /** Milliseconds a child sluice takes for {@code args}, which must succeed. */
    private static long timed(Path logDir, String... args) throws Exception {
        long start = System.nanoTime();
        SluiceProcess.run(Map.of(), SluiceProcess.command(List.of(), List.of("-Xmx256m"), args), logDir, 2).expect(0);
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void pruneWhileABackupRunsLosesNothing() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        for (int i = 0; i < 3; i++) {
            repo.backup(version(i).toString()).expect(0);
        }
        Path big = Files.createDirectories(dir.resolve("big"));
        TreeFixture.create().randomFile("a.bin", 48 << 20, 5).randomFile("b.bin", 16 << 20, 6).materialise(big);
        List<String> command = SluiceProcess.command(List.of(), List.of("-Xmx256m"), "backup", "--repo",
                repo.repo().toString(), "--key-file", repo.key().toString(), "--host", "testhost", "--json",
                big.toString());
        Process backup = SluiceProcess.builder(Map.of(), command, dir.resolve("log-backup")).start();
        int pruned = 0;
        int locked = 0;
        while (backup.isAlive()) {
            CliRun prune = CliRun.of("prune", "--repo", repo.repo().toString(), "--keep-last", "1");
            if (prune.exit() == 0) {
                pruned++;
            } else {
                assertEquals(ExitCode.LOCKED, prune.exit(), prune.toString());
                locked++;
            }
            Thread.sleep(20);
        }
        int backupExit = backup.waitFor();
        String backupErr = Files.readString(dir.resolve("log-backup/stderr"));
        assertTrue(backupExit == 0 || backupExit == ExitCode.LOCKED, backupExit + ": " + backupErr);
        System.out.println("PruneIT: backup exit " + backupExit + ", prunes done " + pruned + ", locked " + locked);
        CliRun.of("prune", "--repo", repo.repo().toString(), "--keep-last", "1").expect(0);
        repo.check(true).expect(0);
        Path target = dir.resolve("restore");
        repo.restore("latest", target).expect(0);
        Path expected = backupExit == 0 ? big : dir.resolve("src-2");
        TreeAssert.assertSameTree(expected, LocalRepo.restored(target, expected));
    }
}
