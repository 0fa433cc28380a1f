package dev.sluice.transport.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * Clients that must be refused, and hostile peers that must be cut off, while the server
 * keeps serving good clients and logs every reason.
 */
class TlsRefusalTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static TestPki pki;
    static TlsServer server;
    static final List<String> log = Collections.synchronizedList(new ArrayList<>());
    static final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String msg = r.getParameters() == null ? r.getMessage()
                    : java.text.MessageFormat.format(r.getMessage(), r.getParameters());
            log.add(msg);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        Logger.getLogger(TlsServer.class.getName()).addHandler(capture);
        // the server echoes every frame back
        server = TlsServer.start(TlsLinkTest.serverSpec(pki, TlsEngine.preferred()),
                link -> link.send(link.receive()).then(link.onClose()).then()).block(WAIT);
    }

    @AfterAll
    static void stop() {
        server.close();
        Logger.getLogger(TlsServer.class.getName()).removeHandler(capture);
    }

    @BeforeEach
    void clearLog() {
        log.clear();
    }

    @AfterEach
    void serverStillServesAGoodClient() {
        Link good = TlsClient.connect(spec()).block(WAIT);
        Mono<Void> sent = good.send(Mono.just(Frame.of(5, "ping".getBytes(StandardCharsets.UTF_8))));
        sent.subscribe();
        Frame back = good.receive().next().block(WAIT);
        try {
            assertEquals("ping", back.payload().toString(StandardCharsets.UTF_8));
        } finally {
            back.release();
        }
        good.close(CloseReason.normal());
        good.onClose().block(WAIT);
    }

    private static TlsClientSpec spec() {
        return TlsLinkTest.clientSpec(pki, server, TlsEngine.preferred());
    }

    private static void assertLogged(String fragment) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            synchronized (log) {
                if (log.stream().anyMatch(l -> l.contains(fragment))) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("server log lacks '" + fragment + "': " + log);
    }

    private static void assertLoggedAny(String... fragments) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            synchronized (log) {
                if (log.stream().anyMatch(l -> java.util.Arrays.stream(fragments).anyMatch(l::contains))) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("server log lacks any of " + java.util.Arrays.toString(fragments) + ": " + log);
    }

    private static LinkClosedException refusedClient(TlsClientSpec spec) {
        Throwable t;
        try {
            Link l = TlsClient.connect(spec).block(WAIT);
            // with TLS 1.3 the server judges the client certificate after the client has
            // finished its handshake: the refusal then ends the link
            t = new AssertionError("link was not refused");
            try {
                l.receive().blockLast(WAIT);
            } catch (LinkClosedException e) {
                t = e;
            }
        } catch (LinkClosedException e) {
            t = e;
        }
        return assertInstanceOf(LinkClosedException.class, t);
    }

    @Test
    void clientWithANameNotInTheMapIsRefusedOnBothSides() throws Exception {
        LinkClosedException e = refusedClient(spec().withIdentityFiles(pki.cert("stranger"), pki.key("stranger")));
        assertEquals(CloseReason.Code.AUTHENTICATION_FAILED, e.reason().code());
        assertTrue(e.reason().byPeer());
        assertTrue(e.getMessage().contains("'stranger'") && e.getMessage().contains("not in this server's client map"),
                e.getMessage());
        assertLogged("client certificate name 'stranger'");
    }

    @Test
    void clientFromAForeignCaIsRefused() throws Exception {
        LinkClosedException e = refusedClient(spec().withIdentityFiles(pki.foreignDir.resolve("source.crt"),
                pki.foreignDir.resolve("source.key")));
        assertEquals(CloseReason.Code.AUTHENTICATION_FAILED, e.reason().code(), e.getMessage());
        assertTrue(e.getMessage().contains("refusing this side's certificate"), e.getMessage());
        // the server names its CAs in the certificate request, so a client holding only a
        // foreign certificate usually sends none; either way the handshake fails
        assertLogged("TLS handshake failed");
        assertLoggedAny("the client sent no certificate", "is not signed by a CA in");
    }

    @Test
    void clientWithAnExpiredCertificateIsRefused() throws Exception {
        LinkClosedException e = refusedClient(spec().withIdentityFiles(pki.cert("expired"), pki.key("expired")));
        assertEquals(CloseReason.Code.AUTHENTICATION_FAILED, e.reason().code(), e.getMessage());
        assertTrue(e.getMessage().contains("refusing this side's certificate (expired"), e.getMessage());
        assertLogged("the client certificate 'CN=expired' expired on");
    }

    @Test
    void serverWithTheWrongNameIsRefusedByTheClient() {
        LinkClosedException e = refusedClient(spec().withServerName("other-sink"));
        assertEquals(CloseReason.Code.AUTHENTICATION_FAILED, e.reason().code());
        assertTrue(e.getMessage().contains("expects 'other-sink'"), e.getMessage());
    }

    @Test
    void clientWithoutACertificateIsRefused() throws Exception {
        try (SSLSocket s = rawSocket(false)) {
            byte[] got = exchange(s, new byte[0]);
            assertEquals(0, got.length, "server sent application data to a client without a certificate");
        }
        assertLogged("TLS handshake failed: the client sent no certificate");
    }

    // ------------------------------------------------------------ hostile authenticated peers

    private static SSLSocket rawSocket(boolean withCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", PemFiles.certificates(pki.caCert).get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withCertificate) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("me", PemFiles.privateKey(pki.key("source")), new char[0],
                    PemFiles.certificates(pki.cert("source")).toArray(X509Certificate[]::new));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.address().getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Writes {@code out}, then reads until the server closes; returns what it sent. */
    private static byte[] exchange(SSLSocket s, byte[] out) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            OutputStream o = s.getOutputStream();
            o.write(out);
            o.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (java.io.IOException e) {
            // the server may cut the connection while we write or read: that is the point
        }
        return got.toByteArray();
    }

    private static byte[] hello() {
        return new byte[] {'s', 'l', 'u', 'i', 'c', 'e', 0, 1, 0, 1, 0, 0};
    }

    private static byte[] concat(byte[] a, Consumer<java.nio.ByteBuffer> more, int size) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(a.length + size);
        b.put(a);
        more.accept(b);
        return b.array();
    }

    @Test
    void oversizedFrameIsCutOffWithAReason() throws Exception {
        try (SSLSocket s = rawSocket(true)) {
            byte[] got = exchange(s, concat(hello(), b -> b.putInt(64 * 1024 + 1).putShort((short) 1), 6));
            assertTrue(new String(got, StandardCharsets.ISO_8859_1).contains("65537 bytes"),
                    "the peer is told why: " + new String(got, StandardCharsets.ISO_8859_1));
        }
        assertLogged("frame too large");
    }

    @Test
    void unknownMagicIsCutOff() throws Exception {
        try (SSLSocket s = rawSocket(true)) {
            exchange(s, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertLogged("not speaking the sluice link protocol");
    }

    @Test
    void otherVersionIsCutOff() throws Exception {
        byte[] h = hello();
        h[7] = 9;
        try (SSLSocket s = rawSocket(true)) {
            exchange(s, h);
        }
        assertLogged("version 9");
    }

    @Test
    void truncatedFrameIsReported() throws Exception {
        try (SSLSocket s = rawSocket(true)) {
            s.getOutputStream().write(concat(hello(), b -> b.putInt(100).putShort((short) 1).put(new byte[10]), 16));
            s.getOutputStream().flush();
            // wait for the server's accept, then hang up in the middle of the frame
            s.getInputStream().read(new byte[64]);
        }
        assertLogged("connection ended inside a frame of type 1 (10 of 100 payload bytes)");
    }

    @Test
    void garbageAfterTheHandshakeIsCutOff() throws Exception {
        try (SSLSocket s = rawSocket(true)) {
            exchange(s, concat(hello(), b -> b.putInt(1).putShort((short) 0).put((byte) 77), 7));
        }
        assertLogged("unknown control message");
    }

    @Test
    void opensslWithAForeignCertificateGetsNoApplicationData() throws Exception {
        Path openssl = Path.of("/usr/bin/openssl");
        Assumptions.assumeTrue(Files.isExecutable(openssl), "openssl is not installed");
        Process p = new ProcessBuilder(openssl.toString(), "s_client", "-connect",
                "127.0.0.1:" + server.address().getPort(), "-tls1_3", "-CAfile", pki.caCert.toString(),
                "-cert", pki.foreignDir.resolve("source.crt").toString(),
                "-key", pki.foreignDir.resolve("source.key").toString(), "-quiet", "-verify_return_error")
                .redirectErrorStream(true).start();
        p.getOutputStream().write(hello());
        p.getOutputStream().flush();
        boolean ended = p.waitFor(10, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(ended, "openssl s_client was not disconnected");
        assertFalse(out.contains("sluice"), "the server's hello reached a foreign client: " + out);
        assertTrue(out.toLowerCase().contains("alert") || out.toLowerCase().contains("error"), out);
        assertLogged("TLS handshake failed");
    }
}
