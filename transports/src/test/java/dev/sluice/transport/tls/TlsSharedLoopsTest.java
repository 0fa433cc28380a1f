package dev.sluice.transport.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TlsClient#releaseSharedLoops}: the event loop threads end right after it returns, and links work again
 * after. The release completes with the loops' termination, which Netty signals from each loop thread just before
 * that thread returns, so a thread may still be alive for a moment: the check waits up to a second for it.
 */
class TlsSharedLoopsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void releasingTheSharedLoopsEndsTheirThreadsAndTheNextLinkMakesNewOnes() throws Exception {
        TestPki pki = new TestPki(dir);
        TlsEngine engine = TlsEngine.preferred();
        connectAndClose(pki, engine);
        assertTrue(!loopThreads().isEmpty(), "a TLS link runs on the shared loops");
        TlsClient.releaseSharedLoops(Duration.ofSeconds(5));
        assertEquals(List.of(), loopThreadsAfterAMoment(), "threads of the shared loops left after the release");
        connectAndClose(pki, engine);
        TlsClient.releaseSharedLoops(Duration.ofSeconds(5));
        assertEquals(List.of(), loopThreadsAfterAMoment());
    }

    private static void connectAndClose(TestPki pki, TlsEngine engine) throws Exception {
        BlockingQueue<Link> accepted = new LinkedBlockingQueue<>();
        TlsServer server = TlsServer.start(TlsLinkTest.serverSpec(pki, engine), link -> {
            accepted.add(link);
            return link.onClose().then();
        }).block(WAIT);
        try {
            Link client = TlsClient.connect(TlsLinkTest.clientSpec(pki, server, engine)).block(WAIT);
            Link serverSide = accepted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("src-1", serverSide == null ? null : serverSide.peer().name());
            client.close(CloseReason.normal());
            serverSide.onClose().block(WAIT);
        } finally {
            server.close();
        }
    }

    /** The loop threads still alive, polled for up to a second until there are none. */
    private static List<String> loopThreadsAfterAMoment() throws InterruptedException {
        List<String> left = loopThreads();
        for (int i = 0; i < 100 && !left.isEmpty(); i++) {
            Thread.sleep(10);
            left = loopThreads();
        }
        return left;
    }

    private static List<String> loopThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("reactor-tcp-")).sorted().toList();
    }
}
