package dev.sluice.transport.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Mutual TLS with keys and certificates the way an administrator's own PKI makes them: by the openssl command, as an
 * RSA key in PKCS#1, an EC key in SEC1 on P-384 and an Ed25519 key in PKCS#8, with each TLS engine.
 */
class TlsKeyTypesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({"rsa, OPENSSL", "rsa, JDK", "ec, OPENSSL", "ec, JDK", "ed25519, OPENSSL", "ed25519, JDK"})
    void handshakeWithKeysMadeByOpenssl(String type, TlsEngine engine) throws Exception {
        assumeTrue(engine != TlsEngine.OPENSSL || TlsEngine.openSslUnavailability() == null,
                "BoringSSL is not available here");
        openssl(key(type, "ca"));
        openssl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=site-ca", "-days", "2", "-out", "ca.crt");
        for (String node : List.of("sink", "source")) {
            openssl(key(type, node));
            openssl("req", "-new", "-key", node + ".key", "-subj", "/CN=" + node, "-out", node + ".csr");
            openssl("x509", "-req", "-in", node + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-days", "2", "-out", node + ".crt");
        }
        BlockingQueue<Link> accepted = new LinkedBlockingQueue<>();
        TlsServer server = TlsServer.start(new TlsServerSpec("127.0.0.1", 0, dir.resolve("ca.crt"),
                dir.resolve("sink.crt"), dir.resolve("sink.key"), Map.of("source", new PeerIdentity("src")),
                LinkSpec.DEFAULT, engine), link -> {
                    accepted.add(link);
                    return link.onClose().then();
                }).block(WAIT);
        try {
            Link client = TlsClient.connect(new TlsClientSpec("127.0.0.1", server.address().getPort(),
                    dir.resolve("ca.crt"), dir.resolve("source.crt"), dir.resolve("source.key"), "sink",
                    LinkSpec.DEFAULT, engine)).block(WAIT);
            Link serverSide = accepted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("sink", client.peer().name());
            assertEquals("src", serverSide == null ? null : serverSide.peer().name());
            client.close(CloseReason.normal());
            serverSide.onClose().block(WAIT);
        } finally {
            server.close();
        }
    }

    /** The openssl arguments that make {@code name}.key of {@code type}, in that type's traditional file format. */
    private static String[] key(String type, String name) {
        String out = name + ".key";
        return switch (type) {
            case "rsa" -> new String[] {"genrsa", "-traditional", "-out", out, "2048"};
            case "ec" -> new String[] {"ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", out};
            case "ed25519" -> new String[] {"genpkey", "-algorithm", "ed25519", "-out", out};
            default -> throw new IllegalArgumentException(type);
        };
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }
}
