package dev.sluice.engine.cli;

import dev.sluice.engine.daemon.StdinSinkService;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.stdinserver.StdinClient;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code sluice stdinserver ID}: run by an ssh forced command, it hands its stdin and stdout
 * to the daemon's stdinserver socket for ID and exits with the session's status. It never
 * writes to stdout itself (stdout is the link).
 */
final class StdinserverCommand implements Command {

    /** The subdirectory of the daemon's runtime directory that holds the stdinserver sockets. */
    static final String SOCKET_DIRECTORY = StdinSinkService.SOCKET_DIRECTORY;

    @Override public String name() { return "stdinserver"; }
    @Override public String summary() { return "connect ssh's stdin/stdout to the daemon (authorized_keys forced command)"; }
    @Override public Set<String> valued() { return Set.of("--runtime-dir", "--config"); }
    @Override public Set<String> flags() { return Set.of("--help"); }

    @Override
    public String help() {
        return """
                Usage: sluice stdinserver ID [--runtime-dir DIR | -c FILE]

                Meant to run as the forced command of an ssh key in ~/.ssh/authorized_keys
                on the sink, one key per client identity:

                  restrict,command="sluice stdinserver web-1" ssh-ed25519 AAAA... web-1

                It passes its stdin and stdout to the running daemon through the UNIX socket
                DIR/stdinserver/ID.sock and waits; the daemon speaks the link protocol on
                them as client ID. The exit status is 0 when the session ended normally,
                1 when it ended with an error, 255 when the daemon could not be reached.
                The daemon only has sockets for the identities its config lists, in a
                directory private to its user, so run this as the daemon's user.

                Options:
                  --runtime-dir DIR   the daemon's runtime directory (default /run/sluice, or SLUICE_RUNTIME_DIR)
                  -c, --config FILE   take the runtime directory from the daemon's config file
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        if (args.positional().size() != 1) {
            throw new UsageException(args.positional().isEmpty() ? "give the client identity ID"
                    : "unexpected argument " + args.positional().get(1));
        }
        PeerIdentity id;
        try {
            id = new PeerIdentity(args.positional().get(0));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Path dir = DaemonCommands.runtimeDir(args, console);
        try {
            return StdinClient.run(dir.resolve(SOCKET_DIRECTORY), id, new FileDescriptor(0), new FileDescriptor(1));
        } catch (IOException e) {
            throw new CommandException(255, e.getMessage(), e);
        }
    }
}
