package dev.sluice.engine.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the built executable jar as a real child process, as a user or script would. */
public final class SluiceProcess {
    private SluiceProcess() {}

    public static Path jar() {
        return built("sluice.jar", "the sluice jar");
    }

    /** The tarball {@code mvn package} makes (docs/install.md). */
    public static Path dist() {
        return built("sluice.dist", "the distribution tarball");
    }

    private static Path built(String property, String what) {
        String p = System.getProperty(property);
        if (p == null || !Files.isRegularFile(Path.of(p))) {
            throw new IllegalStateException(what + " is not built (system property " + property + " = " + p
                    + "); integration tests run in 'mvn verify' after 'package'");
        }
        return Path.of(p);
    }

    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The command line that runs sluice with the given JVM options, prefixed by {@code wrapper}. */
    public static List<String> command(List<String> wrapper, List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(java());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static ProcessBuilder builder(Map<String, String> env, List<String> command, Path logDir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Files.createDirectories(logDir);
        // pushes keep a tree cache under $XDG_CACHE_HOME/sluice: keep it in the test's directory, not the user's home
        pb.environment().putIfAbsent("XDG_CACHE_HOME", logDir.resolve("xdg-cache").toAbsolutePath().toString());
        pb.redirectOutput(logDir.resolve("stdout").toFile());
        pb.redirectError(logDir.resolve("stderr").toFile());
        return pb;
    }

    /** Runs to completion (at most {@code minutes}) and returns exit code and output. */
    public static CliRun run(Map<String, String> env, List<String> command, Path logDir, int minutes) throws Exception {
        Process p = builder(env, command, logDir).start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("sluice did not finish within " + minutes + " minutes: " + command);
        }
        return new CliRun(p.exitValue(), Files.readString(logDir.resolve("stdout"), StandardCharsets.UTF_8),
                Files.readString(logDir.resolve("stderr"), StandardCharsets.UTF_8));
    }

    /** Waits (at most 30 s) until a daemon's log reports a started service whose name contains {@code text}. */
    public static void awaitServiceStart(Process daemon, Path stderr, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String logged = Files.exists(stderr) ? Files.readString(stderr) : "";
            if (logged.lines().anyMatch(l -> l.contains("service.start") && l.contains(text))) {
                return;
            }
            if (!daemon.isAlive()) {
                throw new AssertionError("the daemon exited with " + daemon.exitValue() + ":\n" + logged);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the daemon did not start a service matching '" + text + "'; log:\n"
                + Files.readString(stderr));
    }
}
