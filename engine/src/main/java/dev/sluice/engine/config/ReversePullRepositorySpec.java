package dev.sluice.engine.config;

import java.util.Objects;

/**
 * A source job that a sink pulls over a link this source dials ({@code repository: {reverse_pull: {tls|ssh}}}): the
 * daemon keeps a link to the sink open and runs the job when the sink sends PULL over it. No listening port.
 */
public record ReversePullRepositorySpec(ConnectSpec connect) implements RepositorySpec {
    public ReversePullRepositorySpec {
        Objects.requireNonNull(connect, "connect");
    }

    @Override
    public String describe() {
        return "reverse pull to " + connect.describe();
    }
}
