package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A repository kept by a sink on another machine, reached over mutual TLS
 * ({@code repository: {sink: {tls: {address, server_name, ca, cert, key}}}}); the job's key stays at the source.
 *
 * @param host the sink's host name or address
 * @param port the sink's TCP port, 1 to 65535
 * @param serverName the name the sink's certificate must carry
 * @param ca the CA bundle that signs the sink's certificate
 * @param cert this source's certificate
 * @param key this source's private key (the TLS key, not the repository key)
 */
public record TlsSinkRepositorySpec(String host, int port, String serverName, Path ca, Path cert, Path key)
        implements RepositorySpec {

    public TlsSinkRepositorySpec {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("sink port " + port + " is out of range; expected 1 to 65535");
        }
    }

    @Override
    public String describe() {
        return "sink tls " + host + ":" + port;
    }
}
