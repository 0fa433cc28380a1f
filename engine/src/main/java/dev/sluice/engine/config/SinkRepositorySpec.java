package dev.sluice.engine.config;

import java.util.Objects;

/**
 * A repository kept by a sink on another machine, which this source pushes to
 * ({@code repository: {sink: {tls: {...}}}} or {@code {sink: {ssh: {...}}}}); the job's key stays at the source.
 */
public record SinkRepositorySpec(ConnectSpec connect) implements RepositorySpec {
    public SinkRepositorySpec {
        Objects.requireNonNull(connect, "connect");
    }

    @Override
    public String describe() {
        return "sink " + connect.describe();
    }
}
