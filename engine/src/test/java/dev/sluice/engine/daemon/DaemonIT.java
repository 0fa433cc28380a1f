package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.cli.CliRun;
import dev.sluice.engine.cli.LocalRepo;
import dev.sluice.engine.cli.SluiceProcess;
import dev.sluice.engine.json.JsonReader;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as a real process: schedules, status, run --wait, reload, metrics, peer credentials, SIGTERM. */
class DaemonIT {
    @TempDir
    Path dir;

    private Path config;
    private Path run;

    private void writeConfig(LocalRepo repo, String extraJobs) throws Exception {
        Files.writeString(config, """
                global:
                  runtime_dir: run
                  metrics: 127.0.0.1:0
                  shutdown_grace: 0s
                  host: testhost
                jobs:
                """ + extraJobs.replace("REPO", repo.repo().toString()).replace("KEY", repo.key().toString()));
    }

    private static String job(String name, String path, String schedule) {
        return "  - name: " + name + "\n    paths: [" + path + "]\n    repository: REPO\n    key_file: KEY\n"
                + "    schedule: \"" + schedule + "\"\n";
    }

    private Process startDaemon() throws Exception {
        Process p = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of("-Xmx512m"), "daemon",
                "-c", config.toString()), dir.resolve("daemon-log")).start();
        awaitStatus(s -> true, p);
        return p;
    }

    private String daemonLog() throws Exception {
        return Files.readString(dir.resolve("daemon-log/stderr"));
    }

    private CliRun client(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--runtime-dir";
        all[args.length + 1] = run.toString();
        return CliRun.of(all);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> job(Map<String, Object> status, String name) {
        for (Object o : (List<Object>) status.get("jobs")) {
            Map<String, Object> j = (Map<String, Object>) o;
            if (j.get("job").equals(name)) {
                return j;
            }
        }
        return null;
    }

    private Map<String, Object> awaitStatus(Predicate<Map<String, Object>> until, Process daemon) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new AssertionError("the daemon exited with " + daemon.exitValue() + ":\n" + daemonLog());
            }
            CliRun r = client("status", "--json");
            if (r.exit() == 0) {
                Map<String, Object> s = JsonReader.object(r.out().strip());
                if (until.test(s)) {
                    return s;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for the daemon's status; log:\n" + daemonLog());
    }

    private static String metrics(Map<String, Object> status) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + status.get("metrics") + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private static double metric(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static long number(Object o) {
        return ((Number) o).longValue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDaemonSchedulesReportsReloadsAndStopsCleanly() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        Path small = Files.createDirectories(dir.resolve("small"));
        Files.writeString(small.resolve("a.txt"), "hello\n");
        Files.writeString(small.resolve("b.txt"), "world, again\n");
        Path big = Files.createDirectories(dir.resolve("big"));
        Random random = new Random(42);
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < 160; i++) {
            random.nextBytes(data);
            Files.write(big.resolve("f" + i), data);
        }
        config = dir.resolve("sluice.yaml");
        run = dir.resolve("run");
        Files.createDirectory(run, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        writeConfig(repo, job("tick", small.toString(), "every 2s") + job("hand", small.toString(), "manual")
                + job("big", big.toString(), "manual")
                + "  - name: broken\n    paths: [" + small + "]\n    repository: " + dir.resolve("nowhere")
                + "\n    key_file: KEY\n");
        Process daemon = startDaemon();
        try {
            // a real short schedule: at least two runs
            awaitStatus(s -> {
                try {
                    return metric(metrics(s), "sluice_job_runs_total{job=\"tick\",status=\"0\"}") >= 2;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, daemon);

            // run --wait returns the job's status, also a failing one
            assertEquals(0, client("run", "hand", "--wait").exit());
            assertEquals(10, client("run", "broken", "--wait").exit());
            assertEquals(1, client("run", "nosuchjob", "--wait").exit());

            // the metrics match the summary of the job's (only) run
            Map<String, Object> status = awaitStatus(s -> true, daemon);
            Map<String, Object> last = (Map<String, Object>) job(status, "hand").get("last");
            Map<String, Object> summary = (Map<String, Object>) last.get("progress");
            String text = metrics(status);
            assertEquals(number(summary.get("bytes_read")), (long) metric(text, "sluice_job_bytes_read_total{job=\"hand\"}"));
            assertEquals(number(summary.get("files")), (long) metric(text, "sluice_job_files_total{job=\"hand\"}"));
            assertEquals(2, number(summary.get("files")));
            assertEquals(number(summary.get("bytes_added")),
                    (long) metric(text, "sluice_job_bytes_added_total{job=\"hand\"}"));
            assertEquals(1, (long) metric(text, "sluice_job_runs_total{job=\"broken\",status=\"10\"}"));
            assertTrue(metric(text, "sluice_repository_size_bytes{job=\"hand\"}") > 0, text);
            assertTrue(((String) job(status, "broken").get("last").toString()).contains("error"));

            // status shows a running job's progress, then its result
            assertEquals(0, client("run", "big").exit());
            Map<String, Object> running = awaitStatus(s -> "running".equals(job(s, "big").get("state"))
                    && job(s, "big").get("progress") != null
                    && number(((Map<String, Object>) job(s, "big").get("progress")).get("bytes_read")) > 0, daemon);
            assertTrue(job(running, "big").get("running_since") != null);
            Map<String, Object> done = awaitStatus(s -> job(s, "big").get("last") != null, daemon);
            Map<String, Object> bigLast = (Map<String, Object>) job(done, "big").get("last");
            assertEquals(0L, bigLast.get("status"));
            assertEquals(160L * (1 << 20), number(((Map<String, Object>) bigLast.get("progress")).get("bytes_read")));
            CliRun table = client("status");
            assertTrue(table.out().contains("big") && table.out().contains("LAST RUN"), table.toString());

            // a second user is refused by peer credentials (the directory is opened up only for this check)
            var tempMode = Files.getPosixFilePermissions(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(run.resolve("control.sock"), PosixFilePermissions.fromString("rw-rw-rw-"));
            CliRun nobody = SluiceProcess.run(Map.of(), SluiceProcess.command(List.of("/usr/bin/setpriv",
                    "--reuid=65534", "--regid=65534", "--clear-groups"), List.of("-Xmx64m"), "status",
                    "--runtime-dir", run.toString()), dir.resolve("nobody-log"), 1);
            Files.setPosixFilePermissions(run.resolve("control.sock"), PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(dir, tempMode);
            assertEquals(1, nobody.exit(), nobody.toString());
            assertTrue(nobody.err().contains("uid 65534 may not use the control socket"), nobody.toString());
            assertTrue(daemonLog().contains("control.refused"));

            // reload adds and removes jobs; a bad reload changes nothing and prints every problem
            writeConfig(repo, job("hand", small.toString(), "manual") + job("big", big.toString(), "manual")
                    + job("extra", small.toString(), "manual"));
            CliRun reload = client("reload");
            assertEquals(0, reload.exit(), reload.toString());
            Map<String, Object> after = awaitStatus(s -> true, daemon);
            assertTrue(job(after, "extra") != null && job(after, "tick") == null && job(after, "broken") == null);
            Files.writeString(config, "global:\n  runtime_dir: run\n  metrics: nowhere\njobs:\n  - name: a b\n"
                    + "    paths: [/x]\n    repository: /r\n    schedule: every 1q\n");
            CliRun badReload = client("reload");
            assertEquals(2, badReload.exit(), badReload.toString());
            assertTrue(badReload.err().contains("global.metrics") && badReload.err().contains("jobs[0].name")
                    && badReload.err().contains("jobs[0].schedule"), badReload.toString());
            Map<String, Object> unchanged = awaitStatus(s -> true, daemon);
            assertEquals(List.of("hand", "big", "extra"), ((List<Object>) unchanged.get("jobs")).stream()
                    .map(j -> ((Map<String, Object>) j).get("job")).toList());

            // SIGTERM in the middle of a backup: exit 0, no partial snapshot, check accepts the repository
            Files.writeString(big.resolve("f0"), "changed");
            for (int i = 160; i < 320; i++) {
                random.nextBytes(data);
                Files.write(big.resolve("f" + i), data);
            }
            String snapshotsBefore = CliRun.of("snapshots", "--repo", repo.repo().toString(), "--json").out();
            assertEquals(0, client("run", "big").exit());
            awaitStatus(s -> "running".equals(job(s, "big").get("state")) && job(s, "big").get("progress") != null
                    && number(((Map<String, Object>) job(s, "big").get("progress")).get("bytes_read")) > 0, daemon);
            daemon.destroy();
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, daemon.exitValue(), daemonLog());
            String log = daemonLog();
            assertTrue(log.contains("shutdown.cancel") && log.contains("cancelled=true"), log);
            assertEquals(snapshotsBefore, CliRun.of("snapshots", "--repo", repo.repo().toString(), "--json").out());
            repo.check(true).expect(0);
            assertFalse(Files.exists(run.resolve("control.sock")));
        } finally {
            daemon.destroyForcibly();
        }
    }

    @Test
    void aRuntimeDirectoryOthersCanEnterIsRefused() throws Exception {
        LocalRepo repo = LocalRepo.create(dir);
        config = dir.resolve("sluice.yaml");
        run = dir.resolve("run");
        Files.createDirectory(run, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        writeConfig(repo, job("j", dir.toString(), "manual"));
        CliRun r = SluiceProcess.run(Map.of(), SluiceProcess.command(List.of(), List.of(), "daemon", "-c",
                config.toString()), dir.resolve("log"), 1);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("rwxr-x---") && r.err().contains("private"), r.toString());
    }
}
