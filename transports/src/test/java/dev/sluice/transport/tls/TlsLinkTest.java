package dev.sluice.transport.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.transport.Link;
import dev.sluice.transport.LinkContract;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The link contract over a real TLS connection on loopback, with the preferred engine. */
class TlsLinkTest extends LinkContract {

    @TempDir
    static Path dir;
    static TestPki pki;
    static TlsServer server;
    static final BlockingQueue<Link> accepted = new LinkedBlockingQueue<>();

    static TlsEngine engine;

    static TlsServerSpec serverSpec(TestPki pki, TlsEngine engine) {
        return new TlsServerSpec("127.0.0.1", 0, pki.caCert, pki.cert("sink"), pki.key("sink"),
                Map.of("source", new PeerIdentity("src-1")), LinkSpec.DEFAULT.withMaxFrameLength(64 * 1024), engine);
    }

    static TlsClientSpec clientSpec(TestPki pki, TlsServer server, TlsEngine engine) {
        return new TlsClientSpec("127.0.0.1", server.address().getPort(), pki.caCert, pki.cert("source"),
                pki.key("source"), "sink", LinkSpec.DEFAULT.withMaxFrameLength(64 * 1024), engine);
    }

    @BeforeAll
    static void startServer() throws Exception {
        start(TlsEngine.preferred());
    }

    static void start(TlsEngine e) throws Exception {
        engine = e;
        if (server != null) {
            // a subclass's @BeforeAll runs after this class's: restart with its engine
            server.close();
        }
        if (pki == null || !java.nio.file.Files.exists(pki.caCert)) {
            pki = new TestPki(dir);
        }
        server = TlsServer.start(serverSpec(pki, engine), link -> {
            accepted.add(link);
            return link.onClose().then();
        }).block(WAIT);
    }

    @AfterAll
    static void stopServer() {
        server.close();
        server = null;
        pki = null;
    }

    @Override
    protected Ends connect() throws Exception {
        Link client = TlsClient.connect(clientSpec(pki, server, engine)).block(WAIT);
        Link serverSide = accepted.poll(10, TimeUnit.SECONDS);
        return new Ends(client, serverSide);
    }

    @Override
    protected int slack() {
        // socket buffers on both sides plus the outbound high-water mark, in 1 KiB frames
        return 16 * 1024;
    }

    @Test
    void identitiesComeFromConfiguration() throws Exception {
        Ends e = connect();
        assertEquals("src-1", e.server().peer().name());
        assertEquals("sink", e.client().peer().name());
        assertEquals(64 * 1024, e.client().maxFrameLength());
        e.client().close(dev.sluice.transport.CloseReason.normal());
        e.server().onClose().block(WAIT);
    }
}
