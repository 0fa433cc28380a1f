package dev.sluice.engine.config;

/**
 * Where a job stores its snapshots. Each kind of repository is one permitted record; remote sinks will be
 * added as further permitted subtypes.
 */
public sealed interface RepositorySpec permits LocalRepositorySpec {

    /** A short human description, e.g. {@code local /srv/repo}. */
    String describe();
}
