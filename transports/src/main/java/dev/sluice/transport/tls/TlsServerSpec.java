package dev.sluice.transport.tls;

import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a TLS server needs: where to listen, its PEM material, and which client certificate
 * names it admits as which identities.
 *
 * @param host        address to bind, e.g. "0.0.0.0" or "127.0.0.1"
 * @param port        TCP port; 0 picks a free one
 * @param caBundle    PEM file of the CA certificates that may sign client certificates
 * @param certificate PEM file of this server's certificate (chain)
 * @param privateKey  PEM file of this server's key (PKCS#8, PKCS#1 or EC)
 * @param clients     client certificate name (subject CN) to identity; nothing else is admitted
 * @param link        frame limits and handshake timeout
 * @param engine      TLS implementation
 */
public record TlsServerSpec(String host, int port, Path caBundle, Path certificate, Path privateKey,
        Map<String, PeerIdentity> clients, LinkSpec link, TlsEngine engine) {

    public TlsServerSpec {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("TLS server listen address is missing");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("TLS server port " + port + " is outside 0..65535");
        }
        if (caBundle == null || certificate == null || privateKey == null) {
            throw new IllegalArgumentException("TLS server needs a CA bundle, a certificate and a key file");
        }
        if (clients == null || clients.isEmpty()) {
            throw new IllegalArgumentException("TLS server admits no client: the certificate name map is empty");
        }
        clients = Map.copyOf(clients);
        if (link == null || engine == null) {
            throw new IllegalArgumentException("TLS server needs link limits and a TLS engine");
        }
    }

    /** A copy listening on another port. */
    public TlsServerSpec withPort(int newPort) {
        return new TlsServerSpec(host, newPort, caBundle, certificate, privateKey, clients, link, engine);
    }

    /** A copy using another TLS engine. */
    public TlsServerSpec withEngine(TlsEngine other) {
        return new TlsServerSpec(host, port, caBundle, certificate, privateKey, clients, link, other);
    }
}
