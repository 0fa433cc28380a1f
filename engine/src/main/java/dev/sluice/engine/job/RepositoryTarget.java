package dev.sluice.engine.job;

import java.nio.file.Path;

/**
 * How a run reaches its repository and key: a local repository path plus a key file or a
 * password file. Remote sinks (issue 4) will be another way to reach a repository.
 */
public record RepositoryTarget(Path repository, Path keyFile, Path passwordFile) {
    public RepositoryTarget {
        if (repository == null) {
            throw new IllegalArgumentException("no repository given");
        }
    }
}
