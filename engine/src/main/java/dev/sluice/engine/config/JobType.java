package dev.sluice.engine.config;

import java.util.Locale;

/** What a job does; written in lower case in the configuration ({@code type: backup}). */
public enum JobType {
    /** Encrypted, deduplicated snapshots of the job's paths into a repository. */
    BACKUP,
    /** On a sink: ask a source to run one of its jobs and store what it sends in this job's local repository. */
    PULL,
    /** A plain directory tree kept equal to the job's paths, rsync-style (docs/mirror.md). */
    MIRROR;

    /** The spelling used in the configuration file. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
