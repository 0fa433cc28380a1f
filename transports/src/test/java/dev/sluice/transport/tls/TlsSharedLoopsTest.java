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

/** {@link TlsClient#releaseSharedLoops}: no event loop thread is left when it returns, and links work again after. */
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
        assertEquals(List.of(), loopThreads(), "threads of the shared loops left after the release");
        connectAndClose(pki, engine);
        TlsClient.releaseSharedLoops(Duration.ofSeconds(5));
        assertEquals(List.of(), loopThreads());
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

    private static List<String> loopThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("reactor-tcp-")).sorted().toList();
    }
}
