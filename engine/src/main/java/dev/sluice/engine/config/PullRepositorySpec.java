package dev.sluice.engine.config;

import java.util.Set;
import java.util.TreeSet;

/**
 * A source job that its sinks pull ({@code repository: {pull: {sinks: [ID, ...]}}}): the job runs when one of
 * these identities connects to this daemon's listener and sends PULL; the repository stays at the sink.
 *
 * @param sinks the identities (from this machine's listener configuration) that may pull the job, at least one
 */
public record PullRepositorySpec(Set<String> sinks) implements RepositorySpec {
    public PullRepositorySpec {
        sinks = Set.copyOf(new TreeSet<>(sinks));
        if (sinks.isEmpty()) {
            throw new IllegalArgumentException("a pulled job needs at least one sink identity");
        }
    }

    @Override
    public String describe() {
        return "pulled by " + String.join(", ", new TreeSet<>(sinks));
    }
}
