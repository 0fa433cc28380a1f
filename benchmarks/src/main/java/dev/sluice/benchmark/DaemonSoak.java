package dev.sluice.benchmark;

import dev.sluice.engine.daemon.ControlClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Soak run of the daemon as a real process: idle RSS and CPU, then N back-to-back small jobs
 * through the control socket with the live heap (after a forced GC) and RSS sampled every
 * 100 runs, then a no-change run of a many-file job inside the warm daemon. Prints Markdown.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.sluice.benchmark.DaemonSoak
 *     [--runs 1000] [--files 50000] [--jar engine/target/sluice.jar] [--jvm-opts "-Xmx512m"]</pre>
 */
public final class DaemonSoak {
    private DaemonSoak() {}

    public static void main(String[] args) throws Exception {
        int runs = 1000;
        int files = 50_000;
        Path jar = Path.of("engine/target/sluice.jar");
        List<String> jvmOpts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--files" -> files = Integer.parseInt(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                case "--jvm-opts" -> jvmOpts.addAll(List.of(args[++i].trim().split("\\s+")));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path dir = Files.createTempDirectory("sluice-soak");
        Path run = Files.createDirectory(dir.resolve("run"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path small = Files.createDirectories(dir.resolve("small"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(small.resolve("f" + i), "file " + i + "\n");
        }
        Path many = Files.createDirectories(dir.resolve("many"));
        for (int i = 0; i < files; i++) {
            Path d = Files.createDirectories(many.resolve("d" + (i / 500)));
            Files.writeString(d.resolve("f" + i), "small file " + i + "\n");
        }
        Path key = dir.resolve("key");
        exec(List.of(java, "-jar", jar.toString(), "key", "init", "--key-file", key.toString()));
        exec(List.of(java, "-jar", jar.toString(), "init", "--repo", dir.resolve("repo").toString(),
                "--key-file", key.toString()));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("sluice.yaml"), """
                global:
                  host: soak
                  runtime_dir: %s
                  metrics: 127.0.0.1:%d
                  log_level: warn
                jobs:
                  - name: soak
                    paths: [%s]
                    repository: {path: %s}
                    key_file: %s
                  - name: many
                    paths: [%s]
                    repository: {path: %s}
                    key_file: %s
                """.formatted(run, port, small, dir.resolve("repo"), key, many, dir.resolve("repo"), key));
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOpts);
        cmd.addAll(List.of("-jar", jar.toString(), "daemon", "-c", config.toString()));
        Process daemon = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.log").toFile()).start();
        try {
            Path socket = run.resolve("control.sock");
            for (int i = 0; i < 200 && !Files.exists(socket); i++) {
                Thread.sleep(100);
            }
            long pid = daemon.pid();
            System.out.println("## Daemon soak (" + runs + " back-to-back small jobs)");
            System.out.println();
            System.out.println("- JVM options: " + (jvmOpts.isEmpty() ? "none (defaults)" : String.join(" ", jvmOpts)));
            System.out.println("- JDK: " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
            Thread.sleep(3000);
            long cpu0 = cpuTicks(pid);
            Thread.sleep(10_000);
            long idleTicks = cpuTicks(pid) - cpu0;
            System.out.printf(Locale.ROOT, "- idle: RSS %.1f MiB, CPU %d ticks (%d ms) in 10 s%n%n",
                    rss(pid) / 1048576.0, idleTicks, idleTicks * 10);
            System.out.println("| runs | live heap after GC MiB | RSS MiB | mean run ms (last 100) |");
            System.out.println("|---:|---:|---:|---:|");
            try (ControlClient client = ControlClient.connect(socket)) {
                long windowStart = System.nanoTime();
                for (int i = 1; i <= runs; i++) {
                    Files.writeString(small.resolve("f" + (i % 20)), "file changed in run " + i + "\n");
                    Map<String, Object> answer = client.call("{\"op\":\"run\",\"job\":\"soak\",\"wait\":true}");
                    if (!Boolean.TRUE.equals(answer.get("ok")) || ((Number) answer.get("status")).intValue() != 0) {
                        throw new IllegalStateException("run " + i + " failed: " + answer);
                    }
                    if (i % 100 == 0 || i == 1) {
                        double mean = (System.nanoTime() - windowStart) / 1e6 / (i == 1 ? 1 : 100);
                        exec(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                                Long.toString(pid), "GC.run"));
                        System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.0f |%n", i,
                                heapUsed(port) / 1048576.0, rss(pid) / 1048576.0, mean);
                        windowStart = System.nanoTime();
                    }
                }
                System.out.println();
                System.out.println("| many-file job (" + files + " files) | wall ms |");
                System.out.println("|---|---:|");
                for (int i = 0; i < 4; i++) {
                    long t = System.nanoTime();
                    Map<String, Object> answer = client.call("{\"op\":\"run\",\"job\":\"many\",\"wait\":true}");
                    System.out.printf(Locale.ROOT, "| %s | %.0f |%n", i == 0 ? "first run" : "no-change run " + i,
                            (System.nanoTime() - t) / 1e6);
                    if (!Boolean.TRUE.equals(answer.get("ok"))) {
                        throw new IllegalStateException("many-file run failed: " + answer);
                    }
                }
            }
        } finally {
            daemon.destroy();
            daemon.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static void exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long heapUsed(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().split("\n")) {
            if (line.startsWith("sluice_jvm_heap_used_bytes")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }
}
