package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code engine/bin/sluice} launcher as users run it: a real bash, the real jar, a real JVM and its archive. */
class LauncherIT {

    @TempDir
    Path dir;

    /** The launcher installed as {@code dir/opt/sluice} with the jar beside it (as docs/launcher.md describes). */
    private Path install() throws IOException {
        Path opt = Files.createDirectories(dir.resolve("opt"));
        Path launcher = opt.resolve("sluice");
        Files.copy(Path.of("bin", "sluice"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(opt.resolve("sluice.jar"), SluiceProcess.jar().toAbsolutePath());
        return launcher;
    }

    private CliRun run(Path launcher, Map<String, String> extraEnv, String... args) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        env.putAll(extraEnv);
        List<String> cmd = new java.util.ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        return SluiceProcess.run(env, cmd, dir.resolve("log-" + System.nanoTime()), 2);
    }

    private List<String> archives() throws IOException {
        Path cds = dir.resolve("cache/sluice/cds");
        if (!Files.isDirectory(cds)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(cds)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theFirstRunOfACommandMakesItsArchiveAndTheNextRunMapsIt() throws Exception {
        Path launcher = install();
        CliRun first = run(launcher, Map.of(), "--version");
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().startsWith("sluice "), first.out());
        List<String> made = archives();
        assertEquals(1, made.size(), "archives: " + made);
        assertTrue(made.get(0).startsWith("--version-") && made.get(0).endsWith(".jsa"), made.get(0));
        // -Xshare:on makes the JVM fail rather than run without the archive: the archive is valid and used
        CliRun second = run(launcher, Map.of("SLUICE_JAVA_OPTS", "-Xshare:on"), "--version");
        assertEquals(0, second.exit(), second.err());
        assertEquals(first.out(), second.out());
        assertEquals(made, archives(), "the second run made no other archive");
    }

    /** The archive belongs to the jar the launcher runs, also through a symlink: a new jar makes a new archive. */
    @Test
    void aNewJarBehindTheSameSymlinkMakesANewArchive() throws Exception {
        Path opt = Files.createDirectories(dir.resolve("opt"));
        Path launcher = opt.resolve("sluice");
        Files.copy(Path.of("bin", "sluice"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        Path release = Files.copy(SluiceProcess.jar(), dir.resolve("sluice-release.jar"));
        Files.createSymbolicLink(opt.resolve("sluice.jar"), release);
        assertEquals(0, run(launcher, Map.of(), "--version").exit());
        List<String> before = archives();
        Files.setLastModifiedTime(release, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(release).toMillis() + 60_000)); // as an upgrade in place would
        assertEquals(0, run(launcher, Map.of(), "--version").exit());
        List<String> after = archives();
        assertEquals(1, before.size());
        assertEquals(1, after.size(), "the old jar's archive is removed: " + after);
        assertFalse(before.equals(after), "the same archive name for a changed jar: " + after);
    }

    /**
     * A first run of {@code mirror} (Netty, JFR event classes: the JVM's archive dump warns about classes it skips)
     * prints nothing but the command's own output; {@code --no-daemon} has an archive of its own.
     */
    @Test
    void aFirstMirrorRunIsQuietAndNoDaemonRunsHaveTheirOwnArchive() throws Exception {
        Path launcher = install();
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("a.txt"), "a\n");
        Path config = dir.resolve("mirror.yaml");
        Files.writeString(config, "global: {runtime_dir: " + dir.resolve("run") + "}\njobs:\n  - name: copy\n"
                + "    type: mirror\n    paths: [" + src + "]\n    mirror: {directory: " + dir.resolve("dst") + "}\n");
        CliRun first = run(launcher, Map.of(), "mirror", "--no-daemon", "-c", config.toString());
        assertEquals(0, first.exit(), first.err());
        assertEquals("", first.err());
        assertTrue(first.out().startsWith("mirror copy: ") && first.out().lines().count() == 1, first.out());
        List<String> made = archives();
        assertEquals(1, made.size(), made.toString());
        assertTrue(made.get(0).startsWith("mirror-no-daemon-"), made.toString());
        CliRun plain = run(launcher, Map.of(), "mirror", "-c", config.toString());
        assertEquals(0, plain.exit(), plain.err());
        assertEquals("", plain.err());
        assertEquals(2, archives().size(), archives().toString());
        assertTrue(archives().stream().anyMatch(a -> a.matches("mirror-[0-9].*")), archives().toString());
    }

    @Test
    void aFailedFirstRunKeepsNoArchiveAndNoTemporaryFile() throws Exception {
        Path launcher = install();
        CliRun failed = run(launcher, Map.of(), "restore", "--no-such-option");
        assertEquals(2, failed.exit(), failed.out() + failed.err());
        assertEquals(List.of(), archives());
    }

    @Test
    void eachCommandGetsItsFlagsAndTheUsersOptionsComeLast() throws Exception {
        Path launcher = install();
        Map<String, String> dry = Map.of("SLUICE_LAUNCHER_DRY_RUN", "1", "SLUICE_JAVA_OPTS", "-Xmx64m");
        String stdinserver = run(launcher, dry, "stdinserver", "web-1").out();
        assertTrue(stdinserver.contains("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"), stdinserver);
        assertTrue(stdinserver.contains("-XX:ArchiveClassesAtExit="), stdinserver);
        assertTrue(stdinserver.indexOf("-Xmx64m") > stdinserver.indexOf("-XX:-UsePerfData"), stdinserver);
        assertTrue(stdinserver.trim().endsWith("-jar " + launcher.resolveSibling("sluice.jar") + " stdinserver web-1"),
                stdinserver);
        String backup = run(launcher, dry, "backup", "-c", "x.yaml").out();
        assertTrue(backup.contains("-Xmx512m"), backup);
        assertFalse(backup.contains("TieredStopAtLevel"), backup);
        String noCds = run(launcher, Map.of("SLUICE_LAUNCHER_DRY_RUN", "1", "SLUICE_CDS", "0"), "backup").out();
        assertFalse(noCds.contains("Archive"), noCds);
    }

    @Test
    void withoutAJarItSaysWhereItLooked() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path launcher = bin.resolve("sluice");
        Files.copy(Path.of("bin", "sluice"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        CliRun r = run(launcher, Map.of(), "--version");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("cannot find sluice.jar") && r.err().contains("SLUICE_JAR"), r.err());
    }

    /** During a first run the script waits for the JVM: a SIGTERM sent to the script must still stop the JVM. */
    @Test
    void aSigtermToTheScriptDuringAFirstRunStopsTheJvm() throws Exception {
        Path launcher = install();
        Path runtime = Files.createDirectories(dir.resolve("run/stdinserver"));
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(runtime.resolve("web-1.sock")));
            Map<String, String> env = new HashMap<>();
            env.put("JAVA_HOME", System.getProperty("java.home"));
            env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
            Process p = SluiceProcess.builder(env, List.of(launcher.toString(), "stdinserver", "web-1", "--runtime-dir",
                    dir.resolve("run").toString()), dir.resolve("log-term")).start();
            // the JVM connects and waits for a status byte that never comes
            try (var conn = server.accept()) {
                assertTrue(conn.isConnected());
                List<ProcessHandle> jvms = p.descendants().toList();
                assertFalse(jvms.isEmpty(), "the script runs the JVM as its child during a first run");
                new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
                assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the script did not end");
                for (ProcessHandle jvm : jvms) {
                    jvm.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                    assertFalse(jvm.isAlive(), "the JVM outlived the script");
                }
            }
        }
        assertEquals(List.of(), archives(), "an interrupted first run keeps no archive");
    }
    /**
     * A stdinserver FIFO left by a daemon that is gone (its process id is in the FIFO's name) is not used: the
     * launcher goes to the JVM at once, which finds no socket, instead of waiting 10 s for an answer that cannot
     * come. The command's stdin and stdout are pipes, as under sshd.
     */
    @Test
    void aStdinserverFifoOfADeadDaemonIsPassedBy() throws Exception {
        Path launcher = install();
        Path runtime = Files.createDirectory(dir.resolve("run"),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        Path sockets = Files.createDirectory(runtime.resolve("stdinserver"));
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        Path stale = sockets.resolve("donor." + gone.pid() + ".fifo");
        Process mk = new ProcessBuilder("mkfifo", "-m", "600", stale.toString()).start();
        assertTrue(mk.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && mk.exitValue() == 0);

        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "stdinserver", "donor", "--runtime-dir",
                runtime.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES));
        assertEquals(255, p.exitValue(), err);
        assertTrue(err.contains("there is no stdinserver socket for client 'donor'"), err);
        assertFalse(err.contains("did not answer"), err);
        assertTrue(Files.exists(stale), "the launcher leaves the daemon's files alone");
    }
}
