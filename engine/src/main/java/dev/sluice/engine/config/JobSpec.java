package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One job of the configuration file: what to back up, with which rules, to which repository.
 *
 * @param name unique within the file; {@code [A-Za-z0-9][A-Za-z0-9._-]{0,63}}
 * @param type what the job does; default {@link JobType#BACKUP}
 * @param paths the roots to back up, at least one, resolved against the config file's directory
 * @param include include patterns, in file order; default none
 * @param exclude exclude patterns, in file order; default none
 * @param oneFileSystem whether the walk stays on each root's filesystem; default false
 * @param excludeCaches whether directories holding a valid CACHEDIR.TAG are skipped; default true
 * @param repository where snapshots go
 * @param keyFile the key file, or {@code null} when not set
 * @param passwordFile a file holding the key's password, or {@code null} when not set; at most one of keyFile
 *     and passwordFile is set; with neither, SLUICE_KEY_FILE or SLUICE_PASSWORD_FILE is read at run time
 * @param chunker content-defined chunking bounds
 * @param compression blob compression
 * @param hooks hooks in file order
 * @param retention what prune keeps of this job's snapshots, or {@code null} when the job has no retention
 *     block (prune then keeps everything of it)
 * @param schedule when the daemon runs the job by itself; default {@link ScheduleSpec#MANUAL}
 * @param source for a {@link JobType#PULL} job (which has no paths), the source it pulls from; null otherwise
 */
public record JobSpec(
        String name,
        JobType type,
        List<Path> paths,
        List<String> include,
        List<String> exclude,
        boolean oneFileSystem,
        boolean excludeCaches,
        RepositorySpec repository,
        Path keyFile,
        Path passwordFile,
        ChunkerSpec chunker,
        CompressionSpec compression,
        List<HookSpec> hooks,
        RetentionSpec retention,
        ScheduleSpec schedule,
        PullSourceSpec source) {

    /** The form of a job name. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** A backup job (no pull source). */
    public JobSpec(String name, JobType type, List<Path> paths, List<String> include, List<String> exclude,
            boolean oneFileSystem, boolean excludeCaches, RepositorySpec repository, Path keyFile, Path passwordFile,
            ChunkerSpec chunker, CompressionSpec compression, List<HookSpec> hooks, RetentionSpec retention,
            ScheduleSpec schedule) {
        this(name, type, paths, include, exclude, oneFileSystem, excludeCaches, repository, keyFile, passwordFile,
                chunker, compression, hooks, retention, schedule, null);
    }

    /** A job the daemon runs only when asked. */
    public JobSpec(String name, JobType type, List<Path> paths, List<String> include, List<String> exclude,
            boolean oneFileSystem, boolean excludeCaches, RepositorySpec repository, Path keyFile, Path passwordFile,
            ChunkerSpec chunker, CompressionSpec compression, List<HookSpec> hooks) {
        this(name, type, paths, include, exclude, oneFileSystem, excludeCaches, repository, keyFile, passwordFile,
                chunker, compression, hooks, null, ScheduleSpec.MANUAL);
    }

    /** A job without a retention block. */
    public JobSpec(String name, JobType type, List<Path> paths, List<String> include, List<String> exclude,
            boolean oneFileSystem, boolean excludeCaches, RepositorySpec repository, Path keyFile, Path passwordFile,
            ChunkerSpec chunker, CompressionSpec compression, List<HookSpec> hooks, ScheduleSpec schedule) {
        this(name, type, paths, include, exclude, oneFileSystem, excludeCaches, repository, keyFile, passwordFile,
                chunker, compression, hooks, null, schedule);
    }

    /** A job the daemon runs only when asked, with a retention block. */
    public JobSpec(String name, JobType type, List<Path> paths, List<String> include, List<String> exclude,
            boolean oneFileSystem, boolean excludeCaches, RepositorySpec repository, Path keyFile, Path passwordFile,
            ChunkerSpec chunker, CompressionSpec compression, List<HookSpec> hooks, RetentionSpec retention) {
        this(name, type, paths, include, exclude, oneFileSystem, excludeCaches, repository, keyFile, passwordFile,
                chunker, compression, hooks, retention, ScheduleSpec.MANUAL);
    }

    public JobSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(chunker, "chunker");
        Objects.requireNonNull(compression, "compression");
        paths = List.copyOf(paths);
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        hooks = List.copyOf(hooks);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(nameProblem(name));
        }
        if (type == JobType.PULL) {
            if (source == null || !paths.isEmpty() || !(repository instanceof LocalRepositorySpec)) {
                throw new IllegalArgumentException("pull job '" + name + "' needs a source and a local repository"
                        + " and takes no paths (the source's job names them)");
            }
        } else if (source != null) {
            throw new IllegalArgumentException("job '" + name + "' has a source but is not a pull job");
        } else if (repository instanceof MirrorJobSpec m && m.pull() != null) {
            if (!paths.isEmpty()) {
                throw new IllegalArgumentException("mirror pull job '" + name + "' takes no paths (the sender's job"
                        + " names them)");
            }
        } else if (paths.isEmpty()) {
            throw new IllegalArgumentException("job '" + name + "' needs at least one path");
        }
        if (keyFile != null && passwordFile != null) {
            throw new IllegalArgumentException("job '" + name + "' sets both key_file and password_file; set one");
        }
    }

    static String nameProblem(String name) {
        return "invalid job name '" + name + "'; expected 1 to 64 letters, digits, '.', '-' or '_', starting with"
                + " a letter or digit, for example home-daily";
    }
}
