package dev.sluice.engine.config;

/**
 * Where a job stores its snapshots. Each kind of repository is one permitted record: a local directory or a
 * sink reached over mutual TLS.
 */
public sealed interface RepositorySpec permits LocalRepositorySpec, TlsSinkRepositorySpec, MirrorJobSpec {

    /** A short human description, e.g. {@code local /srv/repo}. */
    String describe();
}
