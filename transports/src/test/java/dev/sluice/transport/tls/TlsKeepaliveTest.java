package dev.sluice.transport.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import io.netty.channel.epoll.Epoll;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * Both ends of a TLS link keep TCP keepalive on, so a NAT or firewall keeps the idle connection's state and a
 * vanished peer is noticed: the kernel shows the keepalive timer (not none) on both sockets, and with epoll it fires
 * after {@link TlsServer#KEEPALIVE_IDLE_SECONDS}, not the kernel's default two hours.
 */
class TlsKeepaliveTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path PROC_TCP = Path.of("/proc/net/tcp");
    /** Java's sockets are often IPv6 sockets holding IPv4-mapped addresses; the kernel lists them here. */
    private static final Path PROC_TCP6 = Path.of("/proc/net/tcp6");

    @TempDir
    Path dir;

    /** The timer fields ("tr" and "tm->when" in clock ticks) of established loopback sockets touching {@code port}. */
    private static List<long[]> timers(int port) throws Exception {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        List<long[]> out = new ArrayList<>();
        List<String> lines = new ArrayList<>(Files.readAllLines(PROC_TCP));
        if (Files.isReadable(PROC_TCP6)) {
            lines.addAll(Files.readAllLines(PROC_TCP6));
        }
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || !f[3].equals("01") || !(f[1].endsWith(hexPort) || f[2].endsWith(hexPort))) {
                continue;
            }
            String[] timer = f[5].split(":");
            out.add(new long[] {Long.parseLong(timer[0], 16), Long.parseLong(timer[1], 16)});
        }
        return out;
    }

    @Test
    void anIdleLinkHasTheKeepaliveTimerOnBothEnds() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(PROC_TCP), "no /proc/net/tcp");
        TestPki pki = new TestPki(dir);
        TlsServer server = TlsServer.start(TlsLinkTest.serverSpec(pki, TlsEngine.preferred()),
                link -> link.send(link.receive()).then(link.onClose()).then()).block(WAIT);
        Link link = TlsClient.connect(TlsLinkTest.clientSpec(pki, server, TlsEngine.preferred())).block(WAIT);
        try {
            link.send(Mono.just(Frame.of(5, "hello".getBytes(StandardCharsets.UTF_8)))).subscribe();
            Frame back = link.receive().next().block(WAIT);
            back.release();
            int port = server.address().getPort();
            List<long[]> timers = List.of();
            // once the echo is acknowledged both sockets idle, and an idle socket shows its keepalive timer (2)
            for (int i = 0; i < 200; i++) {
                timers = timers(port);
                if (timers.size() == 2 && timers.stream().allMatch(t -> t[0] == 2)) {
                    break;
                }
                Thread.sleep(25);
            }
            assertEquals(2, timers.size(), "two established sockets on port " + port);
            for (long[] t : timers) {
                assertEquals(2, t[0], "timer kind (0 none, 1 retransmit, 2 keepalive)");
                if (Epoll.isAvailable()) {
                    // USER_HZ is 100 on Linux: 60 s are 6000 ticks (the kernel default would be 720000)
                    assertTrue(t[1] <= (TlsServer.KEEPALIVE_IDLE_SECONDS + 1) * 100L, "keepalive due in " + t[1]
                            + " ticks");
                }
            }
        } finally {
            link.close(CloseReason.normal());
            link.onClose().block(WAIT);
            server.close();
        }
    }
}
