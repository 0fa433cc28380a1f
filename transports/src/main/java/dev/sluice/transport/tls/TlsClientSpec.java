package dev.sluice.transport.tls;

import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import java.nio.file.Path;

/**
 * What a TLS client needs: where to connect, its PEM material, and the name the server's
 * certificate must carry (as zrepl's {@code server_cn}; independent of the address).
 *
 * @param host        server address
 * @param port        server port
 * @param caBundle    PEM file of the CA certificates that may sign the server's certificate
 * @param certificate PEM file of this client's certificate (chain)
 * @param privateKey  PEM file of this client's key (PKCS#8, PKCS#1 or EC)
 * @param serverName  the CN or DNS name the server's certificate must have; also the
 *                    identity the link reports for the server
 * @param link        frame limits and handshake timeout
 * @param engine      TLS implementation
 * @param insecureSkipVerify accept any server certificate (no CA, validity or name check); only for a setting
 *                    whose name says it is insecure, and the caller warns on every connection
 */
public record TlsClientSpec(String host, int port, Path caBundle, Path certificate, Path privateKey,
        String serverName, LinkSpec link, TlsEngine engine, boolean insecureSkipVerify) {

    /** A client that verifies the server (the normal case). */
    public TlsClientSpec(String host, int port, Path caBundle, Path certificate, Path privateKey,
            String serverName, LinkSpec link, TlsEngine engine) {
        this(host, port, caBundle, certificate, privateKey, serverName, link, engine, false);
    }

    public TlsClientSpec {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("TLS client needs a server address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("TLS server port " + port + " is outside 1..65535");
        }
        if (caBundle == null || certificate == null || privateKey == null) {
            throw new IllegalArgumentException("TLS client needs a CA bundle, a certificate and a key file");
        }
        new PeerIdentity(serverName);
        if (link == null || engine == null) {
            throw new IllegalArgumentException("TLS client needs link limits and a TLS engine");
        }
    }

    /** A copy connecting to another port. */
    public TlsClientSpec withPort(int newPort) {
        return new TlsClientSpec(host, newPort, caBundle, certificate, privateKey, serverName, link, engine, insecureSkipVerify);
    }

    /** A copy expecting another server name. */
    public TlsClientSpec withServerName(String name) {
        return new TlsClientSpec(host, port, caBundle, certificate, privateKey, name, link, engine, insecureSkipVerify);
    }

    /** A copy using other key material. */
    public TlsClientSpec withIdentityFiles(Path cert, Path key) {
        return new TlsClientSpec(host, port, caBundle, cert, key, serverName, link, engine, insecureSkipVerify);
    }

    /** A copy using another TLS engine. */
    public TlsClientSpec withEngine(TlsEngine other) {
        return new TlsClientSpec(host, port, caBundle, certificate, privateKey, serverName, link, other, insecureSkipVerify);
    }

    /** A copy that does or does not skip verifying the server. */
    public TlsClientSpec withInsecureSkipVerify(boolean skip) {
        return new TlsClientSpec(host, port, caBundle, certificate, privateKey, serverName, link, engine, skip);
    }
}
