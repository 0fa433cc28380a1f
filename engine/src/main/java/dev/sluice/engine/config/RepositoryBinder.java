package dev.sluice.engine.config;

import java.util.List;
import java.util.Optional;

/**
 * Binds a job's {@code repository} (a local path, or a sink it pushes to, sinks that pull it, a sink it reaches
 * for a reverse pull) onto a {@link RepositorySpec}.
 */
final class RepositoryBinder {

    /** The keys that make a repository mapping remote; a mapping has at most one of them. */
    private static final List<String> REMOTE_REPOSITORY_KEYS = List.of("sink", "pull", "reverse_pull");
    private static final List<String> PULL_KEYS = List.of("sinks");
    private static final List<String> LOCAL_REPOSITORY_KEYS = List.of("path");

    private final NodeReader reader;
    private final Problems problems;
    private final ConnectBinder connects;
    private final ListenerIdentities listenerIdentities;

    RepositoryBinder(NodeReader reader, ConnectBinder connects, ListenerIdentities listenerIdentities) {
        this.reader = reader;
        this.problems = reader.problems();
        this.connects = connects;
        this.listenerIdentities = listenerIdentities;
    }

    /**
     * A repository: a path string (local shorthand) or a mapping. A new kind of repository adds its keys and
     * one branch here, chosen by the key that only that kind has.
     */
    Optional<RepositorySpec> repository(ConfigSection job) {
        Optional<YamlNode.Entry> entry = job.present("repository");
        String at = job.path("repository");
        if (entry.isEmpty()) {
            job.missing("repository", "a repository path like /srv/sluice or a mapping with 'path'");
            return Optional.empty();
        }
        YamlNode value = entry.get().value();
        if (value instanceof YamlNode.Mapping mapping
                && REMOTE_REPOSITORY_KEYS.stream().anyMatch(mapping.entries()::containsKey)) {
            ConfigSection remote = reader.section(mapping, at, REMOTE_REPOSITORY_KEYS);
            List<String> kinds = REMOTE_REPOSITORY_KEYS.stream().filter(k -> remote.present(k).isPresent()).toList();
            if (kinds.isEmpty()) {
                // every remote key written here is empty: the block it names is required, so report it missing
                String written = REMOTE_REPOSITORY_KEYS.stream().filter(mapping.entries()::containsKey).findFirst()
                        .orElseThrow();
                remote.missing(written, written.equals("pull") ? "a mapping with the key sinks"
                        : "a mapping with the key tls or ssh");
                return Optional.empty();
            }
            if (kinds.size() > 1) {
                YamlNode.Entry second = remote.present(kinds.get(1)).orElseThrow();
                problems.add(second.line(), second.column(), remote.path(kinds.get(1)), "set one of "
                        + String.join(", ", kinds) + ", not several");
                return Optional.empty();
            }
            String kind = kinds.get(0);
            if (kind.equals("pull")) {
                return remote.section("pull", PULL_KEYS).flatMap(this::pulledBy);
            }
            Optional<ConfigSection> transport = remote.section(kind, ConnectBinder.CONNECT_KEYS);
            if (transport.isEmpty()) {
                return Optional.empty(); // not a mapping, which section() reported
            }
            Optional<ConnectSpec> connect = connects.connect(transport.get(), true);
            return kind.equals("sink") ? connect.map(SinkRepositorySpec::new)
                    : connect.map(ReversePullRepositorySpec::new);
        }
        if (value instanceof YamlNode.Mapping mapping) {
            ConfigSection local = reader.section(mapping, at, LOCAL_REPOSITORY_KEYS);
            return local.required("path", reader.path()).map(LocalRepositorySpec::new);
        }
        if (value instanceof YamlNode.Scalar) {
            return reader.scalar(value, at, reader.path()).map(LocalRepositorySpec::new);
        }
        reader.wrongType(value, at, "a repository path like /srv/sluice or a mapping with 'path'");
        return Optional.empty();
    }

    /** {@code pull: {sinks: [ID, ...]}}: the identities that may pull this job through this machine's listener. */
    private Optional<RepositorySpec> pulledBy(ConfigSection pull) {
        var sinks = listenerIdentities.expectEach(pull, "sinks", "a list of sink identities",
                "a sink that pulls this job");
        return sinks.isEmpty() ? Optional.empty() : Optional.of(new PullRepositorySpec(sinks));
    }
}
