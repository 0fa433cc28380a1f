package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Binds one entry of {@code jobs} onto a {@link JobSpec}: its own keys here, and by its type the repository,
 * mirror block or pull source, handed to the binder of that block.
 */
final class JobBinder {

    private static final List<String> JOB_KEYS = List.of("name", "type", "paths", "include", "exclude",
            "one_file_system", "exclude_caches", "repository", "key_file", "password_file", "chunker", "compression",
            "hooks", "retention", "schedule", "source", "mirror");

    private final NodeReader reader;
    private final Problems problems;
    private final RepositoryBinder repositories;
    private final MirrorJobBinder mirrors;
    private final PullSourceBinder pullSources;
    private final DataFormatBinder dataFormats;
    private final HookBinder hookBinder;
    private final RetentionBinder retentions;

    JobBinder(NodeReader reader, RepositoryBinder repositories, MirrorJobBinder mirrors, PullSourceBinder pullSources,
            DataFormatBinder dataFormats, HookBinder hookBinder, RetentionBinder retentions) {
        this.reader = reader;
        this.problems = reader.problems();
        this.repositories = repositories;
        this.mirrors = mirrors;
        this.pullSources = pullSources;
        this.dataFormats = dataFormats;
        this.hookBinder = hookBinder;
        this.retentions = retentions;
    }

    /** @param firstUse where each job name was first used, to report a name used twice */
    Optional<JobSpec> job(YamlNode node, String at, Map<String, String> firstUse) {
        if (!(node instanceof YamlNode.Mapping mapping)) {
            reader.wrongType(node, at, "a job (a mapping with name, paths and repository)");
            return Optional.empty();
        }
        ConfigSection job = reader.section(mapping, at, JOB_KEYS);
        Optional<String> name = job.required("name", Conversion.jobName());
        name.ifPresent(n -> {
            String previous = firstUse.putIfAbsent(n, job.path("name"));
            if (previous != null) {
                YamlNode value = job.present("name").orElseThrow().value();
                problems.at(value, job.path("name"), "job name '" + n + "' is already used by " + previous);
            }
        });
        JobType type = job.optional("type", jobType()).orElse(JobType.BACKUP);
        PullSourceSpec source = null;
        List<Path> paths;
        boolean mirrorPull = type == JobType.MIRROR && job.present("mirror").map(YamlNode.Entry::value)
                .filter(m -> m instanceof YamlNode.Mapping mm && mm.present("pull").isPresent()).isPresent();
        if (type == JobType.PULL) {
            paths = List.of();
            job.present("paths").ifPresent(e -> problems.at(e.value(), job.path("paths"), "a pull job takes no"
                    + " paths; the source's job names them"));
            source = pullSources.pullSource(job);
        } else if (mirrorPull) {
            paths = List.of();
            for (String key : List.of("paths", "include", "exclude")) {
                job.present(key).ifPresent(e -> problems.at(e.value(), job.path(key), "a mirror pull job takes no "
                        + key + "; the sender's job names what it sends"));
            }
        } else {
            paths = job.requiredList("paths", reader.path(), "a list of paths to back up");
            job.present("source").ifPresent(e -> problems.at(e.value(), job.path("source"), "only a pull job"
                    + " (type: pull) has a source"));
        }
        rejectRepeats(job, "paths", paths);
        List<String> include = job.list("include", pattern(), "a list of include patterns");
        List<String> exclude = job.list("exclude", pattern(), "a list of exclude patterns");
        boolean oneFileSystem = job.optional("one_file_system", Conversion.bool()).orElse(false);
        boolean excludeCaches = job.optional("exclude_caches", Conversion.bool()).orElse(true);
        Optional<RepositorySpec> repository = type == JobType.MIRROR ? mirrors.mirrorTarget(job)
                : repositories.repository(job);
        if (type != JobType.MIRROR && job.present("mirror").isPresent()) {
            YamlNode.Entry m = job.present("mirror").orElseThrow();
            problems.add(m.line(), m.column(), job.path("mirror"), "'mirror' belongs to jobs of type mirror");
        }
        Path keyFile = job.optional("key_file", reader.path()).orElse(null);
        Path passwordFile = job.optional("password_file", reader.path()).orElse(null);
        if (job.present("key_file").isPresent() && job.present("password_file").isPresent()) {
            YamlNode.Entry second = job.present("password_file").orElseThrow();
            problems.add(second.line(), second.column(), job.path("password_file"),
                    "set either key_file or password_file, not both");
        }
        ChunkerSpec chunker = dataFormats.chunker(job);
        CompressionSpec compression = dataFormats.compression(job);
        List<HookSpec> hooks = hookBinder.hooks(job, type == JobType.PULL ? HookBinder.Place.PULL
                : type != JobType.MIRROR ? HookBinder.Place.JOB
                : mirrorPull ? HookBinder.Place.MIRROR_PULL : HookBinder.Place.MIRROR);
        int beforeRetention = problems.size();
        RetentionSpec retention = retentions.retention(job, "retention", RetentionBinder.JOB_RETENTION_KEYS);
        ScheduleSpec schedule = job.optional("schedule", Conversion.schedule()).orElse(ScheduleSpec.MANUAL);
        if (name.isEmpty() || paths.isEmpty() && type != JobType.PULL && !mirrorPull
                || source == null && type == JobType.PULL
                || repository.isEmpty() || chunker == null || compression == null
                || problems.size() != beforeRetention) {
            return Optional.empty();
        }
        boolean pulledMirror = repository.get() instanceof MirrorJobSpec m && m.pulled();
        if ((repository.get() instanceof PullRepositorySpec || repository.get() instanceof ReversePullRepositorySpec
                || pulledMirror) && job.present("schedule").isPresent()) {
            problems.at(job.present("schedule").orElseThrow().value(), job.path("schedule"), "a pulled job runs when"
                    + " its sink asks for it; schedule the sink's pull job instead");
            return Optional.empty();
        }
        if (type == JobType.PULL && !(repository.get() instanceof LocalRepositorySpec)) {
            problems.at(job.present("repository").orElseThrow().value(), job.path("repository"), "a pull job keeps"
                    + " what it pulls in a local repository on this machine; give a path");
            return Optional.empty();
        }
        try {
            return Optional.of(new JobSpec(name.get(), type, paths, include, exclude, oneFileSystem, excludeCaches,
                    repository.get(), keyFile, passwordFile, chunker, compression, hooks, retention, schedule,
                    source));
        } catch (IllegalArgumentException invalid) {
            problems.at(mapping, at, invalid.getMessage());
            return Optional.empty();
        }
    }

    private void rejectRepeats(ConfigSection job, String key, List<Path> values) {
        Set<Path> seen = new HashSet<>();
        Optional<YamlNode.Entry> entry = job.present(key);
        if (entry.isEmpty() || !(entry.get().value() instanceof YamlNode.Sequence list)
                || list.items().size() != values.size()) {
            return; // a problem was already reported for this list
        }
        for (int i = 0; i < values.size(); i++) {
            if (!seen.add(values.get(i))) {
                problems.at(list.items().get(i), job.path(key) + "[" + i + "]",
                        "path " + values.get(i) + " is listed twice");
            }
        }
    }

    private static Conversion<JobType> jobType() {
        List<String> names = new ArrayList<>();
        for (JobType type : JobType.values()) {
            names.add(type.yamlName());
        }
        return new Conversion<>("a job type", value -> {
            for (JobType type : JobType.values()) {
                if (type.yamlName().equals(value)) {
                    return type;
                }
            }
            throw new IllegalArgumentException("unknown job type '" + value + "'; expected " + String.join(", ", names));
        });
    }

    /** Include and exclude patterns are passed on as written; the scan rules define and check their syntax. */
    private static Conversion<String> pattern() {
        return new Conversion<>("a pattern", Function.identity());
    }
}
