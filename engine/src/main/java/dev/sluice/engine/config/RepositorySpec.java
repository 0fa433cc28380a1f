package dev.sluice.engine.config;

/**
 * Where a job stores its snapshots. Each kind of repository is one permitted record: a local directory, a sink
 * this source pushes to, or a sink that pulls the job (dialing in, or over a link this source dials).
 */
public sealed interface RepositorySpec permits LocalRepositorySpec, SinkRepositorySpec, PullRepositorySpec,
        ReversePullRepositorySpec, MirrorJobSpec {

    /** A short human description, e.g. {@code local /srv/repo}. */
    String describe();
}
