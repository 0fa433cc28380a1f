package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.cli.CliRun;
import dev.sluice.engine.cli.LocalRepo;
import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.Workers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's job runner applies the job's retention right after each successful snapshot. */
class RetentionAfterRunTest {
    @TempDir
    Path dir;

    @Test
    void eachSuccessfulRunPrunesToThePolicyAndRunsPrunePostOnTheSink() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        LocalRepo repo = LocalRepo.create(dir);
        Path log = dir.resolve("prune.log");
        Path hook = Files.writeString(dir.resolve("prune-post"),
                "#!/bin/sh\necho \"$SLUICE_HOOK $* $SLUICE_ROLE\" >> " + log + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
        Path cfg = Files.writeString(dir.resolve("sluice.yaml"), """
                global:
                  host: h1
                jobs:
                  - name: kept
                    paths: [%s]
                    repository: {path: %s}
                    key_file: %s
                    retention:
                      keep_last: 2
                    hooks:
                      - point: prune.post
                        path: %s
                """.formatted(src, repo.repo(), repo.key(), hook));
        SluiceConfig config = ConfigLoader.load(cfg);
        ByteArrayOutputStream events = new ByteArrayOutputStream();
        try (Workers workers = Workers.forMachine()) {
            BackupJobRunner runner = new BackupJobRunner(workers, Clock.systemUTC(),
                    new EventLog(new PrintStream(events, true, StandardCharsets.UTF_8), Clock.systemUTC(), "info", false),
                    Map.of());
            for (int i = 0; i < 4; i++) {
                Files.writeString(src.resolve("f" + i), "version " + i + "\n");
                RunReport report = runner.run(config.jobs().get(0), config, p -> {}, new Cancellation());
                assertEquals(0, report.status(), report.toString() + "\n" + events);
                assertNull(report.error(), report.toString());
            }
        }
        CliRun list = CliRun.of("snapshots", "--repo", repo.repo().toString(), "--json").expect(0);
        assertEquals(2, list.out().split("\"id\"").length - 1, "keep_last 2 after 4 runs: " + list);
        assertEquals(4, Files.readAllLines(log).size(), "prune.post ran after every run");
        assertTrue(Files.readAllLines(log).stream().allMatch(l -> l.equals("prune.post 0 sink")), Files.readString(log));
        repo.check(true).expect(0);
    }
}
