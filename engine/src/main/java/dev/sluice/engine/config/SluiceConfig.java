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
 */
public record SluiceConfig(Path file, GlobalSpec global, List<JobSpec> jobs) {

    public SluiceConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(global, "global");
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
