package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A mirror receiver reached over mutual TLS ({@code mirror.tls}): address, the name its certificate must carry, the
 * CA bundle and this node's certificate and key.
 *
 * @param insecureSkipVerify accept any receiver certificate; only for tests, warned about on every run
 */
public record MirrorTlsSpec(String host, int port, String serverName, Path ca, Path cert, Path key,
        boolean insecureSkipVerify) {

    public MirrorTlsSpec {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("receiver port " + port + " is out of range; expected 1 to 65535");
        }
    }
}
