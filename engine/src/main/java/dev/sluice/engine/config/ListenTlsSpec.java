package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The sink's mutual-TLS listener ({@code global.listen.tls}).
 *
 * @param host the address to bind
 * @param port the TCP port, 0 to 65535 (0 picks a free port)
 * @param ca the CA bundle that signs the sources' certificates
 * @param cert the sink's certificate
 * @param key the sink's private key
 * @param clients certificate name to peer identity; a certificate not listed is refused
 */
public record ListenTlsSpec(String host, int port, Path ca, Path cert, Path key, Map<String, String> clients) {

    public ListenTlsSpec {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        clients = Map.copyOf(clients);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen port " + port + " is out of range; expected 0 to 65535");
        }
        if (clients.isEmpty()) {
            throw new IllegalArgumentException("global.listen.tls.clients lists no client certificate");
        }
    }
}
