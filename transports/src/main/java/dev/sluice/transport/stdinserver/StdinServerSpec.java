package dev.sluice.transport.stdinserver;

import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * What the stdinserver serves: one UNIX socket {@code RUNTIME_DIR/IDENTITY.sock} per client
 * identity, in a runtime directory that must be private to this user.
 *
 * @param runtimeDir the directory holding the sockets (owned by this user, mode 0700 or stricter)
 * @param clients    the identities that may connect (through {@code sluice stdinserver ID})
 * @param link       frame and handshake limits
 */
public record StdinServerSpec(Path runtimeDir, Set<PeerIdentity> clients, LinkSpec link) {

    public StdinServerSpec {
        Objects.requireNonNull(runtimeDir, "stdinserver runtime directory");
        clients = Set.copyOf(clients);
        if (clients.isEmpty()) {
            throw new IllegalArgumentException("stdinserver in " + runtimeDir + " has no client identities");
        }
        Objects.requireNonNull(link, "link spec");
    }

    /** The socket a client with {@code id} connects to. */
    public static Path socket(Path runtimeDir, PeerIdentity id) {
        return runtimeDir.resolve(id.name() + ".sock");
    }

    /**
     * The FIFO a client with {@code id} writes its PID into ({@link StdinRequests}): {@code ID.DAEMONPID.fifo}, so a
     * client can tell a live daemon's FIFO from one a crashed daemon left behind.
     */
    public static Path fifo(Path runtimeDir, PeerIdentity id) {
        return runtimeDir.resolve(id.name() + "." + ProcessHandle.current().pid() + ".fifo");
    }

    /** The FIFO on which the client with {@code id} and process id {@code pid} waits for its answers. */
    public static Path reply(Path runtimeDir, PeerIdentity id, long pid) {
        return runtimeDir.resolve(id.name() + "." + pid + ".reply");
    }
}
