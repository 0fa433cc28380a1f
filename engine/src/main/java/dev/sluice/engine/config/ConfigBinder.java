package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Maps a {@link YamlNode} tree onto the {@code *Spec} records, recording every problem it meets and carrying
 * on with defaults so that one pass reports them all; it reads the top level and hands {@code global} and each job
 * to their binders.
 */
final class ConfigBinder {

    private static final List<String> TOP_KEYS = List.of("global", "jobs");

    private final Problems problems;
    private final NodeReader reader;
    private final ListenerIdentities listenerIdentities;
    private final ListenBinder listeners;
    private final GlobalBinder globals;
    private final JobBinder jobs;

    /**
     * @param machineHost supplies the default host name; throws IllegalStateException with a sentence when the
     *     machine's name cannot be found
     */
    private ConfigBinder(Problems problems, Path baseDir, Supplier<String> machineHost) {
        this.problems = problems;
        this.reader = new NodeReader(problems, baseDir);
        this.listenerIdentities = new ListenerIdentities(problems);
        ConnectBinder connects = new ConnectBinder(reader);
        RetentionBinder retentions = new RetentionBinder(reader);
        PullSourceBinder pullSources = new PullSourceBinder(reader, connects, listenerIdentities);
        this.listeners = new ListenBinder(reader);
        this.globals = new GlobalBinder(reader, machineHost, listeners, new SinkBinder(reader, retentions));
        this.jobs = new JobBinder(reader, new RepositoryBinder(reader, connects, listenerIdentities),
                new MirrorJobBinder(reader, connects, pullSources, listenerIdentities), pullSources,
                new DataFormatBinder(reader), new HookBinder(reader), retentions);
    }

    /** Binds a document root; returns the configuration only when no problem at all was recorded. */
    static Optional<SluiceConfig> bind(
            YamlNode root, Path file, Path baseDir, Supplier<String> machineHost, Problems problems) {
        SluiceConfig config = new ConfigBinder(problems, baseDir, machineHost).config(root, file);
        return problems.isEmpty() ? Optional.ofNullable(config) : Optional.empty();
    }

    private SluiceConfig config(YamlNode root, Path file) {
        if (!(root instanceof YamlNode.Mapping)) {
            problems.at(root, "", "the top level must be a mapping with the keys 'global' and 'jobs', found "
                    + root.describe());
            return null;
        }
        ConfigSection top = reader.section((YamlNode.Mapping) root, "", TOP_KEYS);
        GlobalSpec global = globals.global(top);
        List<JobSpec> jobList = new ArrayList<>();
        Optional<YamlNode.Entry> jobsEntry = top.present("jobs");
        // A machine that is only a sink (or mirror receiver) runs no jobs of its own; an empty sink: is not a sink.
        boolean sinkOnly = top.present("global").map(YamlNode.Entry::value)
                .filter(g -> g instanceof YamlNode.Mapping m && (m.present("sink").isPresent()
                        || m.present("mirror").isPresent())).isPresent();
        if (jobsEntry.isEmpty()) {
            if (!sinkOnly) {
                top.missing("jobs", "a list of jobs");
            }
        } else if (jobsEntry.get().value() instanceof YamlNode.Sequence list) {
            if (list.items().isEmpty() && !sinkOnly) {
                problems.at(list, "jobs", "the file defines no jobs; add at least one");
            }
            Map<String, String> firstUse = new HashMap<>();
            for (int i = 0; i < list.items().size(); i++) {
                jobs.job(list.items().get(i), "jobs[" + i + "]", firstUse).ifPresent(jobList::add);
            }
        } else {
            reader.wrongType(jobsEntry.get().value(), "jobs", "a list of jobs");
        }
        if (global != null && problems.isEmpty()) {
            listeners.crossCheck(top, global, listenerIdentities);
        }
        if (global == null || !problems.isEmpty()) {
            return null;
        }
        return new SluiceConfig(file, global, jobList);
    }
}
