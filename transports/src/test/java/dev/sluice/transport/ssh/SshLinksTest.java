package dev.sluice.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.pipe.PipeLinks;
import dev.sluice.transport.stdinserver.StdinClientMain;
import dev.sluice.transport.stdinserver.StdinServer;
import dev.sluice.transport.stdinserver.StdinServerSpec;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Links over a child process's stdin/stdout, and over the system ssh through a real sshd
 * started on loopback with generated keys and a forced command running {@link EchoMain}.
 */
class SshLinksTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final LinkSpec SPEC = LinkSpec.DEFAULT.withMaxFrameLength(64 * 1024);
    static final PipeLinks pipes = PipeLinks.create();

    @TempDir
    static Path dir;
    static Process sshd;
    static Path runtimeDir;
    static int port;
    static final List<String> stderr = new CopyOnWriteArrayList<>();

    static List<String> echoCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EchoMain.class.getName());
    }

    @BeforeAll
    static void startSshd() throws Exception {
        Path sshdBin = Path.of("/usr/sbin/sshd");
        if (!Files.isExecutable(sshdBin)) {
            return;
        }
        if ("root".equals(System.getProperty("user.name")) && !Files.isDirectory(Path.of("/run/sshd"))) {
            // sshd running as root needs its privilege separation directory (made by its package's service)
            Files.createDirectories(Path.of("/run/sshd"));
        }
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("user_key").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("web_key").toString());
        runtimeDir = Files.createDirectory(dir.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String userKey = Files.readString(dir.resolve("user_key.pub")).trim();
        String webKey = Files.readString(dir.resolve("web_key.pub")).trim();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(dir.resolve("authorized_keys"), "restrict,command=\"" + String.join(" ", echoCommand())
                + "\" " + userKey + "\n"
                + "restrict,command=\"" + javaBin + " -cp " + System.getProperty("java.class.path") + " "
                + StdinClientMain.class.getName() + " " + runtimeDir + " web-1\" " + webKey + "\n");
        String hostKey = Files.readString(dir.resolve("host_key.pub")).trim();
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + hostKey + "\n");
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
        sshd = new ProcessBuilder(sshdBin.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString(),
                "-p", Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile())
                .start();
        // sshd logs "Server listening" once it accepts connections
        for (int i = 0; i < 200 && !Files.readString(dir.resolve("sshd.log")).contains("Server listening"); i++) {
            assertTrue(sshd.isAlive(), () -> "sshd exited: " + log());
            Thread.sleep(50);
        }
    }

    static String log() {
        try {
            return Files.readString(dir.resolve("sshd.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), () -> String.join(" ", cmd) + ": " + out);
    }

    @AfterAll
    static void stop() throws Exception {
        if (sshd != null) {
            sshd.destroy();
            sshd.waitFor(10, TimeUnit.SECONDS);
        }
        pipes.close();
    }

    static SshSpec spec(List<String> extra) {
        List<String> options = new java.util.ArrayList<>(List.of(
                "UserKnownHostsFile=" + dir.resolve("known_hosts"), "StrictHostKeyChecking=yes",
                "GlobalKnownHostsFile=/dev/null", "ConnectTimeout=10"));
        options.addAll(extra);
        return SshSpec.toStdinserver("127.0.0.1", port, System.getProperty("user.name"), dir.resolve("user_key"),
                options, new PeerIdentity("source"), new PeerIdentity("sink"), SPEC);
    }

    static String text(Frame f) {
        try {
            return f.type() + ":" + f.payload().toString(StandardCharsets.UTF_8);
        } finally {
            f.release();
        }
    }

    /** Sends 200 frames, among them some of 60 KiB (more than a pipe holds), and expects them back in order. */
    static void echoes(Link link) {
        int n = 200;
        link.send(Flux.range(0, n).map(i -> Frame.of(1 + i % 7, (i % 10 == 0 ? "x".repeat(60 * 1024) : "f" + i)
                .getBytes(StandardCharsets.UTF_8)))).subscribe();
        StepVerifier.create(link.receive().take(n).map(SshLinksTest::text).index())
                .thenConsumeWhile(t -> {
                    long i = t.getT1();
                    String want = (1 + i % 7) + ":" + (i % 10 == 0 ? "x".repeat(60 * 1024) : "f" + i);
                    assertEquals(want, t.getT2());
                    return true;
                })
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void aLinkOverAChildProcessCarriesFramesBothWays() throws Exception {
        Process p = new ProcessBuilder(echoCommand()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Link link = pipes.open(p.getInputStream(), p.getOutputStream(), "echo child", SPEC, new PeerIdentity("echo"),
                true).block(WAIT);
        assertEquals("echo", link.peer().name());
        echoes(link);
        link.close(CloseReason.normal());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the echo child did not exit after the link closed");
        assertEquals(0, p.exitValue(), "the echo child saw an abnormal end");
    }

    @Test
    void aLinkOverSshThroughARealSshdWithAForcedCommand() throws Exception {
        Assumptions.assumeTrue(sshd != null, "/usr/sbin/sshd is not installed");
        SshLinks ssh = new SshLinks(pipes, "ssh", stderr::add, Duration.ofSeconds(10));
        Link link = ssh.connect(spec(List.of())).block(WAIT);
        assertEquals("sink", link.peer().name());
        echoes(link);
        link.close(CloseReason.normal());
        assertEquals(CloseReason.Code.NORMAL, link.onClose().block(WAIT).code());
        assertTrue(stderr.stream().anyMatch(l -> l.contains("echo peer starting")), () -> "stderr: " + stderr);
    }

    @Test
    void aRefusedSshLoginReportsTheExitStatusAndStderr() throws Exception {
        Assumptions.assumeTrue(sshd != null, "/usr/sbin/sshd is not installed");
        Path other = dir.resolve("other_key");
        if (!Files.exists(other)) {
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString());
        }
        SshSpec s = spec(List.of());
        SshSpec wrongKey = new SshSpec(s.host(), s.port(), s.user(), other, s.options(), s.remoteCommand(),
                s.expectedPeer(), s.link());
        SshLinks ssh = new SshLinks(pipes, "ssh", l -> { }, Duration.ofSeconds(10));
        StepVerifier.create(ssh.connect(wrongKey))
                .expectErrorSatisfies(t -> {
                    LinkClosedException e = assertInstanceOf(LinkClosedException.class, t);
                    assertTrue(e.getMessage().contains("exited with status 255"), e.getMessage());
                    assertTrue(e.getMessage().contains("Permission denied"), e.getMessage());
                })
                .verify(WAIT);
    }

    @Test
    void sshToAForcedStdinserverCommandReachesTheDaemonAsTheSocketsIdentity() throws Exception {
        Assumptions.assumeTrue(sshd != null, "/usr/sbin/sshd is not installed");
        BlockingQueue<Link> accepted = new LinkedBlockingQueue<>();
        try (StdinServer server = StdinServer.start(new StdinServerSpec(runtimeDir,
                Set.of(new PeerIdentity("web-1")), SPEC), l -> {
                    accepted.add(l);
                    return l.send(l.receive());
                })) {
            SshSpec s = spec(List.of());
            SshSpec web = new SshSpec(s.host(), s.port(), s.user(), dir.resolve("web_key"), s.options(),
                    "sluice stdinserver web-1", s.expectedPeer(), s.link());
            SshLinks ssh = new SshLinks(pipes, "ssh", stderr::add, Duration.ofSeconds(10));
            Link link = ssh.connect(web).block(WAIT);
            Link daemonSide = accepted.poll(20, TimeUnit.SECONDS);
            assertEquals("web-1", daemonSide.peer().name());
            echoes(link);
            link.close(CloseReason.normal());
            assertEquals(CloseReason.Code.NORMAL, daemonSide.onClose().block(WAIT).code());
            assertEquals(CloseReason.Code.NORMAL, link.onClose().block(WAIT).code());
        }
    }

    @Test
    void sshOffersTheAesGcmCiphersItsConfigurationAllowsFirstUnlessTheJobChoosesCiphers() throws Exception {
        Assumptions.assumeTrue(sshd != null, "/usr/sbin/sshd is not installed");
        SshLinks plain = new SshLinks(pipes, "ssh", l -> { }, Duration.ofSeconds(10), false);
        assertEquals(Optional.empty(), plain.cipherOrder(spec(List.of())));
        List<String> offered = List.of(configured("ciphers").split(","));
        String gcm = offered.stream().filter(c -> c.startsWith("aes") && c.contains("-gcm")).findFirst()
                .orElse(null);
        Assumptions.assumeTrue(gcm != null && !offered.get(0).equals(gcm),
                () -> "this ssh offers " + offered + ": nothing to reorder");

        assertEquals(offered.get(0), negotiated(false, List.of()), "ssh's own order");
        assertEquals(gcm, negotiated(true, List.of()), "AES-GCM first");
        assertEquals("aes256-ctr", negotiated(true, List.of("Ciphers=aes256-ctr")), "the job's choice");
        SshLinks preferring = new SshLinks(pipes, "ssh", l -> { }, Duration.ofSeconds(10), true);
        assertEquals(Optional.empty(), preferring.cipherOrder(spec(List.of("ciphers=aes128-ctr,aes256-ctr"))));
        // a configuration without AES-GCM stays as it is: the order never adds a cipher
        assertEquals(Optional.empty(), CipherOrder.aesGcmFirst("aes128-ctr,aes256-ctr"));
    }

    @Test
    void anSshGThatHangsCostsItsWaitAndLeavesTheOrder() throws Exception {
        Path fake = dir.resolve("hanging-ssh");
        Files.writeString(fake, "#!/bin/sh\nexec sleep 60\n");
        fake.toFile().setExecutable(true);
        SshLinks ssh = new SshLinks(pipes, fake.toString(), l -> { }, Duration.ofSeconds(1), true);
        long t0 = System.nanoTime();
        assertEquals(Optional.empty(), ssh.cipherOrder(SshSpec.toStdinserver("127.0.0.1", 22, "backup",
                dir.resolve("user_key"), List.of(), new PeerIdentity("source"), new PeerIdentity("sink"), SPEC)));
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertTrue(seconds >= 4 && seconds < 15, "waited " + seconds + " s");
    }

    /** The value of {@code key} in {@code ssh -G}'s output for this test's spec. */
    static String configured(String key) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("ssh", "-G", "-p", Integer.toString(port)));
        for (String o : spec(List.of()).options()) {
            cmd.add("-o");
            cmd.add(o);
        }
        cmd.add("127.0.0.1");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        return out.lines().filter(l -> l.startsWith(key + " ")).map(l -> l.substring(key.length() + 1))
                .findFirst().orElseThrow();
    }

    /** The cipher ssh's debug output says the client chose for its side of a link through the real sshd. */
    static String negotiated(boolean preferAesGcm, List<String> extra) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        List<String> options = new java.util.ArrayList<>(extra);
        options.add("LogLevel=DEBUG");
        SshLinks ssh = new SshLinks(pipes, "ssh", lines::add, Duration.ofSeconds(10), preferAesGcm);
        Link link = ssh.connect(spec(options)).block(WAIT);
        link.close(CloseReason.normal());
        link.onClose().block(WAIT);
        String marker = "kex: client->server cipher: ";
        for (int i = 0; i < 200; i++) {
            for (String l : lines) {
                int at = l.indexOf(marker);
                if (at >= 0) {
                    return l.substring(at + marker.length()).split(" ")[0];
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("ssh did not log its cipher: " + lines);
    }

    @Test
    void theCommandLineHasBatchModeTheIdentityAndTheRemoteCommandLast() {
        SshLinks ssh = new SshLinks(pipes, "ssh", l -> { }, Duration.ofSeconds(1));
        List<String> c = ssh.command(SshSpec.toStdinserver("sink.example", 2222, "backup", Path.of("/k/id"),
                List.of("Compression=no"), new PeerIdentity("web-1"), new PeerIdentity("sink"), SPEC));
        assertEquals(List.of("ssh", "-T", "-e", "none", "-i", "/k/id", "-p", "2222", "-l", "backup", "-o",
                "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "Compression=no", "--", "sink.example",
                "sluice stdinserver web-1"), c);
    }
}
