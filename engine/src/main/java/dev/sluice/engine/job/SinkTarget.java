package dev.sluice.engine.job;

import dev.sluice.engine.config.TlsSinkRepositorySpec;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.tls.TlsClientSpec;
import dev.sluice.transport.tls.TlsEngine;
import dev.sluice.transport.Link;
import dev.sluice.transport.tls.TlsClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a run reaches a remote sink: the mutual-TLS connection settings and the repository key file, which stays
 * at the source (the sink only ever sees sealed blobs).
 */
public record SinkTarget(TlsClientSpec tls, Path keyFile) {
    public SinkTarget {
        Objects.requireNonNull(tls, "tls");
        if (keyFile == null) {
            throw new IllegalArgumentException("a push to a sink needs the repository key file at the source"
                    + " (key_file or SLUICE_KEY_FILE); a password cannot be used because the wrapped key is kept"
                    + " at the sink");
        }
    }

    /** The target a job's {@code repository: {sink: {tls: …}}} describes, with the job's key file. */
    public static SinkTarget of(TlsSinkRepositorySpec spec, Path keyFile) {
        return new SinkTarget(new TlsClientSpec(spec.host(), spec.port(), spec.ca(), spec.cert(), spec.key(),
                spec.serverName(), LinkSpec.DEFAULT, TlsEngine.preferred()), keyFile);
    }

    /** How long a connection to the sink (including the TLS and link handshakes) may take. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Opens an authenticated link to the sink.
     *
     * @throws IOException naming the sink when it cannot be reached or refuses this source
     */
    public Link connect() throws IOException {
        Link link;
        try {
            link = TlsClient.connect(tls).block(CONNECT_TIMEOUT);
        } catch (RuntimeException e) {
            throw new IOException("cannot reach " + describe() + ": " + e.getMessage(), e);
        }
        if (link == null) {
            throw new IOException("cannot reach " + describe() + ": the connection did not complete");
        }
        return link;
    }

    /** A short description like {@code sink tls backup.example:7443}. */
    public String describe() {
        return "sink tls " + tls.host() + ":" + tls.port();
    }
}
