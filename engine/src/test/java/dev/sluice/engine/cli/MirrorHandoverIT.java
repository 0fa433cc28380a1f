package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice mirror} where a daemon runs the same config file: the job is handed to the daemon (a real daemon
 * process), its summary and status come back; another file, a changed one and {@code --no-daemon} run here; stopping
 * the command cancels the daemon's run.
 */
class MirrorHandoverIT {
    @TempDir
    Path dir;

    private Process daemon;

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    private Path config(String name) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("a.txt"), "first\n");
        Path run = dir.resolve("run");
        if (!Files.exists(run)) {
            Files.createDirectory(run, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path file = dir.resolve(name);
        Files.writeString(file, """
                global:
                  runtime_dir: run
                  metrics: "off"
                  shutdown_grace: 0s
                jobs:
                  - name: copy
                    type: mirror
                    paths: [SRC]
                    schedule: manual
                    mirror: {directory: DST}
                  - name: gone
                    type: mirror
                    paths: [MISSING]
                    schedule: manual
                    mirror: {directory: DST-gone}
                  - name: broken
                    type: mirror
                    paths: [SRC]
                    schedule: manual
                    mirror: {directory: BLOCKED/dst}
                  - name: slow
                    type: mirror
                    paths: [SRC]
                    schedule: manual
                    hooks:
                      - {point: job.start, path: /bin/sleep, args: ["3"]}
                    mirror: {directory: DST-slow}
                """.replace("SRC", src.toString()).replace("DST", dir.resolve("dst").toString())
                .replace("MISSING", dir.resolve("missing").toString())
                .replace("BLOCKED", dir.resolve("a-file").toString()));
        Files.writeString(dir.resolve("a-file"), "a file where the target's parent should be\n");
        return file;
    }

    private void startDaemon(Path config) throws Exception {
        daemon = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of("-Xmx256m"), "daemon",
                "-c", config.toString()), dir.resolve("daemon-log")).start();
        SluiceProcess.awaitServiceStart(daemon, daemonLogFile(), "control");
    }

    private Path daemonLogFile() {
        return dir.resolve("daemon-log/stderr");
    }

    private String daemonLog() throws Exception {
        return Files.readString(daemonLogFile());
    }

    private long handedRuns(String job) throws Exception {
        return daemonLog().lines().filter(l -> l.contains("job.start job=" + job + " ") && l.contains("trigger=command"))
                .count();
    }

    @Test
    void theDaemonOfTheSameFileRunsTheJobAndTheCommandReportsIt() throws Exception {
        Path config = config("sluice.yaml");
        startDaemon(config);

        CliRun handed = CliRun.of("mirror", "-c", config.toString(), "copy");
        assertEquals(0, handed.exit(), handed.toString());
        assertTrue(handed.out().startsWith("mirror copy (run by the daemon): "), handed.out());
        assertTrue(handed.out().contains("1 files written"), handed.out());
        assertEquals("", handed.err());
        assertEquals("first\n", Files.readString(dir.resolve("dst/a.txt")));
        assertEquals(1, handedRuns("copy"), daemonLog());

        // a failure comes back with the daemon's status and sentence, as the same run here gives them
        CliRun broken = CliRun.of("mirror", "-c", config.toString(), "broken");
        CliRun brokenHere = CliRun.of("mirror", "--no-daemon", "-c", config.toString(), "broken");
        assertEquals(1, brokenHere.exit(), brokenHere.toString());
        assertEquals(brokenHere.exit(), broken.exit(), broken + "\n" + brokenHere);
        assertTrue(broken.err().startsWith("sluice mirror: job broken failed in the daemon: "), broken.err());
        String sentence = brokenHere.err().substring(brokenHere.err().indexOf("failed: ") + 8).strip();
        assertTrue(broken.err().contains(sentence), broken.err() + " lacks " + sentence);

        // so do the files it could not read, and the status that says so
        CliRun gone = CliRun.of("mirror", "-c", config.toString(), "gone");
        CliRun goneHere = CliRun.of("mirror", "--no-daemon", "-c", config.toString(), "gone");
        assertEquals(3, goneHere.exit(), goneHere.toString());
        assertEquals(3, gone.exit(), gone.toString());
        assertTrue(gone.out().startsWith("mirror gone (run by the daemon): "), gone.out());
        assertEquals(goneHere.err(), gone.err());
        assertTrue(gone.err().contains("warning: ") && gone.err().contains("missing"), gone.err());

        // --no-daemon runs here
        Files.writeString(dir.resolve("src/b.txt"), "second\n");
        CliRun here = CliRun.of("mirror", "--no-daemon", "-c", config.toString(), "copy");
        assertEquals(0, here.exit(), here.toString());
        assertTrue(here.out().startsWith("mirror copy: "), here.out());
        assertEquals("second\n", Files.readString(dir.resolve("dst/b.txt")));
        assertEquals(1, handedRuns("copy"));

        // the file changed since the daemon loaded it: run here, and say why
        Files.writeString(config, "# edited\n", StandardOpenOption.APPEND);
        CliRun stale = CliRun.of("mirror", "-c", config.toString(), "copy");
        assertEquals(0, stale.exit(), stale.toString());
        assertTrue(stale.out().startsWith("mirror copy: "), stale.out());
        assertTrue(stale.err().contains("before its last change") && stale.err().contains("running it here"),
                stale.err());
        assertEquals(1, handedRuns("copy"));

        // after a reload the daemon takes it again
        assertEquals(0, CliRun.of("reload", "-c", config.toString()).exit());
        CliRun again = CliRun.of("mirror", "-c", config.toString(), "copy");
        assertTrue(again.out().startsWith("mirror copy (run by the daemon): "), again.toString());
        assertEquals(2, handedRuns("copy"));

        // another file with the same runtime directory is not the daemon's: run here, without a word
        Path other = dir.resolve("other.yaml");
        Files.copy(config, other);
        CliRun elsewhere = CliRun.of("mirror", "-c", other.toString(), "copy");
        assertEquals(0, elsewhere.exit(), elsewhere.toString());
        assertTrue(elsewhere.out().startsWith("mirror copy: "), elsewhere.out());
        assertEquals("", elsewhere.err());
        assertEquals(2, handedRuns("copy"));
    }

    @Test
    void stoppingTheCommandCancelsTheDaemonsRun() throws Exception {
        Path config = config("sluice.yaml");
        startDaemon(config);
        Process command = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of(), "mirror", "-c",
                config.toString(), "slow"), dir.resolve("command-log")).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (handedRuns("slow") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, handedRuns("slow"), daemonLog());
        command.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM's shutdown hooks run
        assertTrue(command.waitFor(30, TimeUnit.SECONDS));
        String err = Files.readString(dir.resolve("command-log/stderr"), StandardCharsets.UTF_8);
        assertTrue(err.contains("asked the daemon to cancel its run of job slow"), err);
        while (!daemonLog().contains("job.end job=slow ") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String log = daemonLog();
        assertTrue(log.contains("job.cancel job=slow"), log);
        assertTrue(log.lines().anyMatch(l -> l.contains("job.end job=slow ") && !l.contains("status=0")), log);
        assertFalse(Files.exists(dir.resolve("dst-slow/a.txt")), "the cancelled run wrote the mirror");
    }
}
