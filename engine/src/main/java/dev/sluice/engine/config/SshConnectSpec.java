package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How to reach a peer through ssh ({@code ssh: {address, user, identity_file, options, identity, peer}}): the system
 * ssh runs {@code sluice stdinserver IDENTITY} on the far side (normally forced by its authorized_keys line), which
 * hands the connection to the far daemon's stdinserver socket for that identity.
 *
 * @param host the ssh server's host name or address
 * @param port the ssh port, 1 to 65535 (default 22)
 * @param user the remote user
 * @param identityFile the ssh private key
 * @param options extra ssh {@code -o} options, each {@code Key=value}
 * @param identity this machine's identity at the far side (the stdinserver socket's name)
 * @param peer the far side's identity, as this machine files and checks it
 */
public record SshConnectSpec(String host, int port, String user, Path identityFile, List<String> options,
        String identity, String peer) implements ConnectSpec {

    public SshConnectSpec {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(identityFile, "identityFile");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(peer, "peer");
        options = List.copyOf(options);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("ssh port " + port + " is out of range; expected 1 to 65535");
        }
    }

    @Override
    public String describe() {
        return "ssh " + user + "@" + host + ":" + port;
    }
}
