package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.cli.Main;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real sshd on 127.0.0.1 for tests, with a generated host key and one generated user key per forced command;
 * each forced command is {@code sluice stdinserver ID --runtime-dir DIR} (this JVM's classpath), as an
 * authorized_keys line of a sink or source would say.
 */
public final class Sshd implements AutoCloseable {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    public final Path dir;
    public final int port;
    private final Process process;

    private Sshd(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Whether this machine has an sshd to start. */
    public static boolean available() {
        return Files.isExecutable(SSHD);
    }

    /**
     * Starts sshd with one key per entry: key name → (identity, runtime directory) of the stdinserver it reaches.
     */
    static Sshd start(Path dir, Map<String, Map.Entry<String, Path>> keys) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return start(dir, keys, List.of(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
    }

    /**
     * Starts sshd as above, with forced commands that run sluice as {@code sluice} says (e.g. {@code java -jar
     * sluice.jar}, in integration tests).
     */
    public static Sshd start(Path dir, Map<String, Map.Entry<String, Path>> keys, List<String> sluice)
            throws Exception {
        if ("root".equals(System.getProperty("user.name")) && !Files.isDirectory(Path.of("/run/sshd"))) {
            Files.createDirectories(Path.of("/run/sshd"));
        }
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        StringBuilder authorized = new StringBuilder();
        for (var e : keys.entrySet()) {
            Path key = dir.resolve(e.getKey());
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
            String command = String.join(" ", sluice) + " " + String.join(" ", "stdinserver",
                    e.getValue().getKey(), "--runtime-dir", e.getValue().getValue().toString());
            authorized.append("restrict,command=\"").append(command).append("\" ")
                    .append(Files.readString(dir.resolve(e.getKey() + ".pub")).trim()).append('\n');
        }
        Files.writeString(dir.resolve("authorized_keys"), authorized);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " "
                + Files.readString(dir.resolve("host_key.pub")).trim() + "\n");
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "UsePAM no",
                "PidFile none",
                "LogLevel VERBOSE",
                ""));
        Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString(),
                "-p", Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile())
                .start();
        Sshd sshd = new Sshd(dir, port, p);
        for (int i = 0; i < 200 && !sshd.log().contains("Server listening"); i++) {
            assertTrue(p.isAlive(), () -> "sshd exited: " + sshd.log());
            Thread.sleep(50);
        }
        return sshd;
    }

    /** The ssh options a client of this sshd needs (its host key, no prompts). */
    public List<String> options() {
        return new ArrayList<>(List.of("UserKnownHostsFile=" + dir.resolve("known_hosts"),
                "StrictHostKeyChecking=yes", "GlobalKnownHostsFile=/dev/null", "ConnectTimeout=10"));
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("sshd.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), () -> String.join(" ", cmd) + ": " + out);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
