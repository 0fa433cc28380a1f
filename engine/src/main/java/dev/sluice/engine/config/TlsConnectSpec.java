package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to reach a peer over mutual TLS ({@code tls: {address, server_name, ca, cert, key}}), for a push to a sink, a
 * pull from a source or a reverse-pull dial to a sink.
 *
 * @param host the peer's host name or address
 * @param port the peer's TCP port, 1 to 65535
 * @param serverName the name the peer's certificate must carry; the link reports it as the peer's identity
 * @param ca the CA bundle that signs the peer's certificate
 * @param cert this machine's certificate
 * @param key this machine's private key (the TLS key, not the repository key)
 * @param insecureSkipVerify accept any peer certificate (no CA, validity or name check); only a mirror job's
 *     {@code tls} block may set it ({@code insecure_skip_verify}), and the job warns about it on every run
 */
public record TlsConnectSpec(String host, int port, String serverName, Path ca, Path cert, Path key,
        boolean insecureSkipVerify) implements ConnectSpec {

    /** A verified peer (the only kind outside mirror jobs). */
    public TlsConnectSpec(String host, int port, String serverName, Path ca, Path cert, Path key) {
        this(host, port, serverName, ca, cert, key, false);
    }

    public TlsConnectSpec {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range; expected 1 to 65535");
        }
    }

    @Override
    public String peer() {
        return serverName;
    }

    @Override
    public String describe() {
        return "tls " + host + ":" + port;
    }
}
