package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.JobStatus;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryLayout;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.RepositorySettings;
import dev.sluice.engine.retention.SnapshotFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A job's {@code retention.schedule} prunes on virtual time without any backup run: in its own slot
 * {@code JOB:prune}, shown in status, logged with kept / removed / freed bytes and counted in the metrics; a busy
 * repository lock defers it to the next slot; a reload adds and removes the slot.
 */
class DaemonPruneScheduleTest {
    private static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");

    @TempDir
    Path dir;

    private String yaml(Path repo, String homeRetention) {
        return """
                jobs:
                  - name: home
                    paths: [/src]
                    repository: {path: %s}
                    %s
                    hooks:
                      - {point: prune.post, path: %s}
                  - name: etc
                    paths: [/etc]
                    repository: {path: %s}
                    retention: {keep_last: 1}
                """.formatted(repo, homeRetention, dir.resolve("prune-post"), repo);
    }

    private static SluiceConfig config(String text) throws Exception {
        return ConfigLoader.parse("d.yaml", text, Path.of("/"), "h");
    }

    @Test
    void pruneRunsOnItsOwnScheduleWithoutBackupsAndWaitsForABusyLock() throws Exception {
        Path repo = dir.resolve("repo");
        Path hookLog = dir.resolve("hook.log");
        Path hook = Files.writeString(dir.resolve("prune-post"),
                "#!/bin/sh\necho \"$SLUICE_HOOK $1 $SLUICE_ROLE\" >> " + hookLog + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
        Repository.init(repo, RepositorySettings.createDefault(Clock.systemUTC(), new SecureRandom())).close();
        SnapshotFixture fixture = new SnapshotFixture(7);
        for (int i = 1; i <= 10; i++) {
            fixture.add(repo, "home", "h", T0.minus(Duration.ofHours(i)));
        }
        for (int i = 1; i <= 4; i++) {
            fixture.add(repo, "home", "other-host", T0.minus(Duration.ofHours(i)));
            fixture.add(repo, "etc", "h", T0.minus(Duration.ofHours(i)));
        }

        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        Clock clock = new VirtualClock(vts, T0);
        ByteArrayOutputStream events = new ByteArrayOutputStream();
        EventLog log = new EventLog(new PrintStream(events, true, StandardCharsets.UTF_8), clock, "info", false);
        Metrics metrics = new Metrics();
        DaemonPruner pruner = new DaemonPruner(log, metrics, clock, RepositoryLock.Owner.current());
        JobRunner noBackups = (job, cfg, progress, cancellation) -> {
            throw new AssertionError("no backup is scheduled, yet " + job.name() + " ran");
        };
        JobSlot.Context context = new JobSlot.Context(clock, vts, Schedulers.immediate(), noBackups, new RunLog(log),
                new Random(1));
        JobSlot.Context pruneContext = new JobSlot.Context(clock, vts, Schedulers.immediate(),
                new PruneJobRunner(pruner, Schedulers.boundedElastic(), log), new RunLog(log), new Random(1));
        AtomicReference<String> file = new AtomicReference<>(
                yaml(repo, "retention: {keep_last: 3, schedule: every 6h}"));
        Daemon daemon = new Daemon(config(file.get()), () -> config(file.get()), context, pruneContext,
                job -> Optional.empty(), log);
        daemon.start();

        JobSlot.View slot = view(daemon, "home:prune");
        assertEquals("every 6h", slot.schedule());
        assertEquals(T0.plus(Duration.ofHours(6)), slot.nextRun());
        assertEquals(List.of("home", "etc", "home:prune"), daemon.status().stream().map(JobSlot.View::job).toList(),
                "etc has no retention schedule, so no prune slot");

        vts.advanceTimeBy(Duration.ofHours(5));
        assertEquals(10, SnapshotFixture.times(repo).get("home@h").size(), "nothing before the slot");
        vts.advanceTimeBy(Duration.ofHours(1));
        List<Instant> home = SnapshotFixture.times(repo).get("home@h");
        assertEquals(List.of(T0.minus(Duration.ofHours(3)), T0.minus(Duration.ofHours(2)),
                T0.minus(Duration.ofHours(1))), home, "keep_last 3: the three newest");
        assertEquals(4, SnapshotFixture.times(repo).get("home@other-host").size(), "another host's are not judged");
        assertEquals(4, SnapshotFixture.times(repo).get("etc@h").size(), "etc has no schedule: untouched");
        assertEquals(JobStatus.OK, view(daemon, "home:prune").last().report().status());
        assertEquals(List.of("prune.post 0 sink"), Files.readAllLines(hookLog), "prune.post after the prune");
        String text = events.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("prune.scope job=home peer=local trigger=schedule policy=\"last 3\" kept=3"
                + " removed=7"), text);
        assertTrue(text.lines().anyMatch(l -> l.contains("prune.done job=home") && l.contains("kept=3")
                && l.contains("removed=7 gc=done") && l.matches(".*bytes_freed=[1-9][0-9]*.*")), text);
        assertEquals(3.0, metrics.value("sluice_prune_snapshots_kept", "job", "home", "peer", "local"));
        assertEquals(7.0, metrics.value("sluice_prune_snapshots_removed_total", "job", "home", "peer", "local"));
        assertTrue(metrics.value("sluice_prune_bytes_freed_total", "repository", repo.toString()) > 0);

        // a backup (shared lock) is running when the next slot comes: the prune is deferred to the slot after it
        fixture.add(repo, "home", "h", clock.instant());
        try (RepositoryLock held = RepositoryLock.acquire(new RepositoryLayout(repo), RepositoryLock.Mode.SHARED,
                new RepositoryLock.Owner("another-host", 4242), clock)) {
            vts.advanceTimeBy(Duration.ofHours(6));
            assertEquals(4, SnapshotFixture.times(repo).get("home@h").size());
            assertEquals(JobStatus.LOCKED, view(daemon, "home:prune").last().report().status());
            assertEquals(T0.plus(Duration.ofHours(18)), view(daemon, "home:prune").nextRun(), "tried at the next slot");
            assertTrue(events.toString(StandardCharsets.UTF_8).contains("prune.deferred job=home peer=local"
                    + " trigger=schedule"), events.toString(StandardCharsets.UTF_8));
            assertEquals(1.0, metrics.value("sluice_prune_runs_total", "job", "home", "peer", "local", "status", "11"));
        }
        vts.advanceTimeBy(Duration.ofHours(6));
        assertEquals(3, SnapshotFixture.times(repo).get("home@h").size(), "the next slot prunes");
        assertEquals(List.of("prune.post 0 sink", "prune.post 11 sink", "prune.post 0 sink"),
                Files.readAllLines(hookLog), "prune.post gets each prune's status");

        // a prune slot can be woken like a job
        fixture.add(repo, "home", "h", clock.instant());
        assertEquals(0, daemon.run("home:prune").orElseThrow().block(Duration.ofSeconds(30)));
        assertEquals(3, SnapshotFixture.times(repo).get("home@h").size());

        // nothing expires: the automatic prune only plans, and leaves every file (the index too) as it was
        List<String> files = files(repo);
        assertEquals(0, daemon.run("home:prune").orElseThrow().block(Duration.ofSeconds(30)));
        assertEquals(files, files(repo));
        String lastDone = events.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("prune.done"))
                .reduce((a, b) -> b).orElseThrow();
        assertTrue(lastDone.contains("kept=3 removed=0 gc=skipped bytes_freed=0"), lastDone);

        // reload: without a schedule the slot goes away; with one it comes back
        file.set(yaml(repo, "retention: {keep_last: 3}"));
        assertTrue(daemon.reload().accepted());
        assertFalse(daemon.status().stream().anyMatch(v -> v.job().equals("home:prune")));
        file.set(yaml(repo, "retention: {keep_last: 2, schedule: \"0 3 * * *\"}"));
        assertTrue(daemon.reload().accepted());
        assertEquals("0 3 * * *", view(daemon, "home:prune").schedule());
        vts.advanceTimeBy(Duration.ofDays(1));
        assertEquals(2, SnapshotFixture.times(repo).get("home@h").size(), "the reloaded policy ran at 03:00");
        vts.dispose();
    }

    private static List<String> files(Path repo) throws java.io.IOException {
        try (var walk = Files.walk(repo)) {
            return walk.filter(Files::isRegularFile).map(p -> repo.relativize(p).toString())
                    .filter(p -> !p.startsWith("locks")).sorted().toList();
        }
    }

    private static JobSlot.View view(Daemon daemon, String name) {
        return daemon.status().stream().filter(v -> v.job().equals(name)).findFirst().orElseThrow();
    }
}
