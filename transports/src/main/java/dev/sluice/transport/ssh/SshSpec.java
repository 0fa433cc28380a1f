package dev.sluice.transport.ssh;

import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where and how the ssh transport connects: the system {@code ssh} is run with these
 * settings and {@code remoteCommand} on the far side, whose stdin/stdout become the link.
 *
 * @param host          the host to dial (not an option: must not start with '-')
 * @param port          the ssh port, 1..65535
 * @param user          the remote user
 * @param identityFile  the private key ssh uses ({@code -i})
 * @param options       extra {@code -o} options, each "Key=value"
 * @param remoteCommand what ssh runs remotely; usually {@code sluice stdinserver IDENTITY}
 *                      (an authorized_keys forced command overrides it anyway)
 * @param expectedPeer  the identity the link reports for the far side (from configuration)
 * @param link          frame and handshake limits
 */
public record SshSpec(String host, int port, String user, Path identityFile, List<String> options,
                      String remoteCommand, PeerIdentity expectedPeer, LinkSpec link) {

    public SshSpec {
        if (host == null || host.isBlank() || host.startsWith("-") || !host.matches("[^\\s@]+")) {
            throw new IllegalArgumentException("ssh host '" + host + "' must be a host name or address without"
                    + " spaces or '@' and must not start with '-'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("ssh port " + port + " for host '" + host + "' is not in 1..65535");
        }
        if (user == null || user.isBlank() || user.startsWith("-") || !user.matches("[^\\s@]+")) {
            throw new IllegalArgumentException("ssh user '" + user + "' for host '" + host
                    + "' must be a user name without spaces or '@' and must not start with '-'");
        }
        Objects.requireNonNull(identityFile, "ssh identity file");
        options = List.copyOf(options);
        for (String o : options) {
            if (!o.matches("[A-Za-z][A-Za-z0-9]*=[^\\n\\r]*")) {
                throw new IllegalArgumentException("ssh option '" + o + "' for host '" + host
                        + "' must have the form Key=value");
            }
        }
        if (remoteCommand == null || remoteCommand.isBlank()) {
            throw new IllegalArgumentException("ssh remote command for host '" + host + "' is empty");
        }
        Objects.requireNonNull(expectedPeer, "expected peer identity");
        Objects.requireNonNull(link, "link spec");
    }

    /** A spec whose remote command is {@code sluice stdinserver SELF}, this client's identity on the far side. */
    public static SshSpec toStdinserver(String host, int port, String user, Path identityFile, List<String> options,
                                        PeerIdentity self, PeerIdentity expectedPeer, LinkSpec link) {
        return new SshSpec(host, port, user, identityFile, options, "sluice stdinserver " + self.name(),
                expectedPeer, link);
    }
}
