package dev.sluice.engine.config;

import java.util.Set;
import java.util.TreeSet;

/**
 * The sink's stdinserver listener ({@code global.listen.stdinserver}): one socket per client identity under
 * {@code RUNTIME_DIR/stdinserver/}, reached by {@code sluice stdinserver ID} run as an ssh forced command.
 *
 * @param clients the identities that get a socket, at least one
 */
public record ListenStdinSpec(Set<String> clients) {

    public ListenStdinSpec {
        clients = Set.copyOf(new TreeSet<>(clients));
        if (clients.isEmpty()) {
            throw new IllegalArgumentException("global.listen.stdinserver.clients lists no identity");
        }
    }
}
