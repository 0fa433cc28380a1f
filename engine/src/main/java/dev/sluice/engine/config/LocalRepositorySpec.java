package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A repository in a directory of this machine ({@code repository: /srv/repo} or {@code repository: {path: /srv/repo}}).
 *
 * @param path the repository directory, already resolved against the config file's directory
 */
public record LocalRepositorySpec(Path path) implements RepositorySpec {

    public LocalRepositorySpec {
        Objects.requireNonNull(path, "path");
    }

    @Override
    public String describe() {
        return "local " + path;
    }
}
