package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.protocol.Keepalive;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.RepositorySettings;
import dev.sluice.transport.tls.CertificateAuthority;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The side towards peers across reloads, in process with real listeners: listeners and receivers added and removed,
 * the sink's retention replaced, and a reload that cannot bind undone as a whole.
 */
class PeerServicesTest {
    @TempDir
    Path dir;

    private final Scheduler io = Schedulers.newBoundedElastic(4, 1024, "peer-services-test");
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final EventLog log = new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8),
            Clock.systemUTC(), "debug", false);
    private final AtomicReference<SluiceConfig> current = new AtomicReference<>();
    private PeerServices peers;

    @AfterEach
    void stop() {
        if (peers != null) {
            peers.stop();
        }
        io.dispose();
    }

    /**
     * A sink with a TLS listener on {@code port}; {@code stdin} the stdinserver identities (null: none),
     * {@code sinkClients} the sink's client map, {@code mirror} a global.mirror block's clients (null: none).
     */
    private SluiceConfig config(int port, String stdin, String sinkClients, String mirror) throws Exception {
        return ConfigLoader.parse("peers.yaml", """
                global:
                  runtime_dir: run
                  listen:
                    tls: {address: 127.0.0.1:%d, ca: pki/ca.crt, cert: pki/sink.crt, key: pki/sink.key,
                          clients: {web-1: web-1, web-2: web-2}}
                %s  sink:
                    repository: repo
                    clients: %s
                %s""".formatted(port, stdin == null ? "" : "    stdinserver: {clients: [" + stdin + "]}\n",
                sinkClients, mirror == null ? "" : "  mirror: {clients: " + mirror + "}\n"), dir);
    }

    private static final String WEB = "{web-1: {jobs: [home]}, web-2: {jobs: [home]}}";

    private List<String> reload(SluiceConfig next) throws IOException {
        List<String> changes = peers.reload(next);
        current.set(next);
        return changes;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void listenersAndReceiversFollowReloadsAndAFailedReloadChangesNothing() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        ca.issue("sink", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        Repository.init(dir.resolve("repo"), RepositorySettings.createDefault(Clock.systemUTC(), new SecureRandom()))
                .close();
        Files.createDirectory(dir.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path sockets = dir.resolve("run").resolve(StdinSinkService.SOCKET_DIRECTORY);
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        current.set(config(port, null, WEB, null));
        peers = new PeerServices(new PeerServices.Context(dir.resolve("run"), Clock.systemUTC(), io, io, io, io,
                new DaemonPruner(log, new Metrics(), Clock.systemUTC(), RepositoryLock.Owner.current()), null,
                new ParkedLinks(Keepalive.DEFAULT, io), current::get, log));
        peers.start();
        assertTrue(listening(port));

        List<String> changes = reload(config(port, null, WEB, "{web-1: {targets: {copy: mirrored}}}"));
        assertEquals(List.of("mirror receiver: served"), changes, changes.toString());

        // a stdinserver listener added, the mirror receiver removed, a retention policy given
        changes = reload(config(port, "laptop-1",
                "{web-1: {jobs: [home]}, laptop-1: {jobs: [home], retention: {keep_last: 3}}}", null));
        assertTrue(changes.stream().anyMatch(c -> c.startsWith("stdinserver listener") && c.endsWith("started")),
                changes.toString());
        assertTrue(changes.contains("mirror receiver: no longer served"), changes.toString());
        assertTrue(changes.stream().anyMatch(c -> c.endsWith("retention replaced")), changes.toString());
        assertTrue(changes.stream().anyMatch(c -> c.endsWith("clients and rate limit updated")), changes.toString());
        assertFalse(changes.stream().anyMatch(c -> c.contains("bound anew")), changes.toString());
        assertTrue(Files.exists(sockets.resolve("laptop-1.sock")));
        assertTrue(listening(port), "the TLS listener was not touched");

        // moving the TLS listener to a taken port while adding an identity: refused whole, nothing changed
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SluiceConfig moved = config(taken.getLocalPort(), "laptop-1, laptop-2",
                    "{web-1: {jobs: [home]}, laptop-1: {jobs: [home]}, laptop-2: {jobs: [home]}}", null);
            IOException e = assertThrows(IOException.class, () -> peers.reload(moved));
            assertTrue(e.getMessage().contains(":" + taken.getLocalPort()), e.getMessage());
        }
        assertTrue(listening(port), "the old TLS listener serves again");
        assertTrue(Files.exists(sockets.resolve("laptop-1.sock")));
        assertFalse(Files.exists(sockets.resolve("laptop-2.sock")), "the stdinserver step never ran");

        // the TLS listener moves (that step works), then a new identity's socket cannot be made: both undone
        Files.createDirectories(sockets.resolve("laptop-2.sock").resolve("in-the-way"));
        int other;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            other = free.getLocalPort();
        }
        SluiceConfig blocked = config(other, "laptop-1, laptop-2",
                "{web-1: {jobs: [home]}, laptop-1: {jobs: [home]}, laptop-2: {jobs: [home]}}", null);
        IOException e = assertThrows(IOException.class, () -> peers.reload(blocked));
        assertTrue(e.getMessage().contains("laptop-2.sock"), e.getMessage());
        assertTrue(listening(port), "the TLS listener is back on its old port");
        assertFalse(listening(other), "the new port was let go");
        Files.delete(sockets.resolve("laptop-2.sock").resolve("in-the-way"));
        Files.delete(sockets.resolve("laptop-2.sock"));

        // the stdinserver listener removed
        changes = reload(config(port, null, WEB, null));
        assertTrue(changes.stream().anyMatch(c -> c.startsWith("stdinserver listener") && c.endsWith("stopped")),
                changes.toString());
        assertFalse(Files.exists(sockets.resolve("laptop-1.sock")));
    }
}
