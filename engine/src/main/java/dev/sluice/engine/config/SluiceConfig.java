package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration file, validated: its global settings and its jobs in file order.
 *
 * @param file the file as it was named when loaded
 * @param global daemon-wide settings
 * @param jobs the jobs, names unique
 * @param sha256 the SHA-256 of the file's bytes, hex (how a daemon and a command tell that they read the same
 *     file), or "" when the configuration was not read from text
 */
public record SluiceConfig(Path file, GlobalSpec global, List<JobSpec> jobs, String sha256) {

    /** A configuration that was not read from text. */
    public SluiceConfig(Path file, GlobalSpec global, List<JobSpec> jobs) {
        this(file, global, jobs, "");
    }

    public SluiceConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(global, "global");
        Objects.requireNonNull(sha256, "sha256");
        jobs = List.copyOf(jobs);
        long distinct = jobs.stream().map(JobSpec::name).distinct().count();
        if (distinct != jobs.size()) {
            throw new IllegalArgumentException("job names in " + file + " are not unique");
        }
    }

    /** The job with this name, if the file defines one. */
    public Optional<JobSpec> job(String name) {
        return jobs.stream().filter(job -> job.name().equals(name)).findFirst();
    }
}
