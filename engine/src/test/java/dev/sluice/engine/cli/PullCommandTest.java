package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice backup -c} with pulled jobs at the source and a reverse pull job at the sink. */
class PullCommandTest {
    @TempDir
    Path dir;

    @Test
    void aSourceBacksUpItsOtherJobsAndRefusesToRunAPulledOne() throws Exception {
        LocalRepo repo = LocalRepo.create(Files.createDirectories(dir.resolve("local")));
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/a.txt"), "a");
        Path config = dir.resolve("source.yaml");
        Files.writeString(config, """
                global:
                  host: web-1
                  listen: {stdinserver: {clients: [backup-1]}}
                jobs:
                  - name: home
                    paths: [data]
                    key_file: %s
                    repository: {pull: {sinks: [backup-1]}}
                  - name: etc
                    paths: [data]
                    key_file: %s
                    repository: %s
                """.formatted(repo.key(), repo.key(), repo.repo()));
        CliRun all = CliRun.of("backup", "-c", config.toString());
        assertEquals(0, all.exit(), all.toString());
        assertTrue(all.err().contains("skipping job home: it runs when its sink pulls it (pulled by backup-1)"),
                all.toString());
        CliRun named = CliRun.of("backup", "-c", config.toString(), "home");
        assertEquals(2, named.exit(), named.toString());
        assertTrue(named.err().contains("job home is pulled by its sink"), named.toString());
    }

    @Test
    void aReversePullNeedsTheDaemon() throws Exception {
        Path config = dir.resolve("sink.yaml");
        Files.writeString(config, """
                global:
                  host: backup-1
                  listen: {stdinserver: {clients: [web-1]}}
                jobs:
                  - name: web-1-home
                    type: pull
                    source: {job: home, reverse: web-1}
                    repository: repo
                """);
        CliRun run = CliRun.of("backup", "-c", config.toString(), "web-1-home");
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("only the daemon, with its listener, can run it"), run.toString());
    }
}
