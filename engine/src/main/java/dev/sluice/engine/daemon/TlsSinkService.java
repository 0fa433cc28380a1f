package dev.sluice.engine.daemon;

import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.transport.tls.TlsServer;
import dev.sluice.transport.tls.TlsServerSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The sink's mutual-TLS listener as a daemon service: every accepted link (its identity from the client
 * certificate map) is served by a {@link SinkServer} session.
 */
public final class TlsSinkService implements Service {
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

    private final TlsServerSpec spec;
    private final SinkServer sink;
    private TlsServer server;

    public TlsSinkService(TlsServerSpec spec, SinkServer sink) {
        this.spec = spec;
        this.sink = sink;
    }

    @Override
    public String name() {
        return "sink tls " + spec.host() + ":" + spec.port();
    }

    @Override
    public synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        try {
            server = TlsServer.start(spec, link -> sink.serve(link).then()).block(BIND_TIMEOUT);
        } catch (RuntimeException e) {
            throw new IOException("cannot listen for sources on " + spec.host() + ":" + spec.port() + ": "
                    + e.getMessage(), e);
        }
        if (server == null) {
            throw new IOException("the TLS listener on " + spec.host() + ":" + spec.port() + " did not start");
        }
    }

    /** The bound address (with the real port when 0 was configured); only after {@link #start()}. */
    public synchronized InetSocketAddress address() {
        if (server == null) {
            throw new IllegalStateException(name() + " is not started");
        }
        return server.address();
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
