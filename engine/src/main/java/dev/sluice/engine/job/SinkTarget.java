package dev.sluice.engine.job;

import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.transport.Link;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a run reaches the sink it pushes to — dialing it (tls or ssh), or over a link the sink opened to pull the
 * job — and the repository key file, which stays at the source (the sink only ever sees sealed blobs).
 */
public record SinkTarget(Connector connector, Path keyFile) {
    public SinkTarget {
        Objects.requireNonNull(connector, "connector");
        if (keyFile == null) {
            throw new IllegalArgumentException("a backup to a sink needs the repository key file at the source"
                    + " (key_file or SLUICE_KEY_FILE); a password cannot be used because the wrapped key is kept"
                    + " at the sink");
        }
    }

    /** The target a job's {@code repository: {sink: {tls|ssh: …}}} describes, with the job's key file. */
    public static SinkTarget of(ConnectSpec spec, Path keyFile) {
        return new SinkTarget(Connector.of(spec), keyFile);
    }

    /** How long a connection to the sink (including the TLS or ssh and link handshakes) may take. */
    public static final Duration CONNECT_TIMEOUT = Connector.CONNECT_TIMEOUT;

    /**
     * Opens an authenticated link to the sink.
     *
     * @throws IOException naming the sink when it cannot be reached or refuses this source
     */
    public Link connect() throws IOException {
        return connector.connect();
    }

    /** A short description like {@code sink tls backup.example:7443}. */
    public String describe() {
        return "sink " + connector.describe();
    }
}
