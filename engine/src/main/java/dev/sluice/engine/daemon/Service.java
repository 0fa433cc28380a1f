package dev.sluice.engine.daemon;

import java.io.IOException;

/**
 * Something the daemon serves for as long as it runs — the control socket, the metrics endpoint, the side towards
 * peers ({@link PeerServices}): started in order at start, stopped in reverse order at shutdown.
 */
public interface Service {

    /** A short name for logs, e.g. {@code control /run/sluice/control.sock}. */
    String name();

    /** Starts accepting; throws with a sentence naming the address when it cannot. */
    void start() throws IOException;

    /**
     * Stops accepting new connections; idempotent. Whether connections already accepted go on is the service's to
     * say: the TLS listener lets them finish, the stdinserver ends its sessions.
     */
    void stop();
}
