package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Binds a mirror job's {@code mirror} block (local, pushed, pulled by its receiver, or pulling) onto a
 * {@link MirrorJobSpec}, and checks that its hooks run where a mirror job runs.
 */
final class MirrorJobBinder {

    private static final List<String> MIRROR_JOB_KEYS = List.of("directory", "target", "tls", "ssh", "pulled_by",
            "reverse_pull", "pull", "layout", "delete", "delete_excluded", "fake_super", "keep_snapshots",
            "source_fake_super");
    /** The keys a writing side chooses; a pulled (sending) mirror job leaves them to its receiver. */
    private static final List<String> MIRROR_WRITER_KEYS = List.of("layout", "delete", "delete_excluded",
            "fake_super", "keep_snapshots");

    private final NodeReader reader;
    private final Problems problems;
    private final ConnectBinder connects;
    private final PullSourceBinder pullSources;
    private final ListenerIdentities listenerIdentities;

    MirrorJobBinder(NodeReader reader, ConnectBinder connects, PullSourceBinder pullSources,
            ListenerIdentities listenerIdentities) {
        this.reader = reader;
        this.problems = reader.problems();
        this.connects = connects;
        this.pullSources = pullSources;
        this.listenerIdentities = listenerIdentities;
    }

    /**
     * A mirror job's {@code mirror:} block: exactly one of {@code directory} (local), {@code tls}/{@code ssh} with
     * {@code target} (push), {@code pulled_by} or {@code reverse_pull} (a sender its receiver pulls), {@code pull}
     * with {@code directory} (a receiver that pulls); and the options of the side that writes.
     */
    Optional<RepositorySpec> mirrorTarget(ConfigSection job) {
        if (job.present("repository").isPresent()) {
            YamlNode.Entry r = job.present("repository").orElseThrow();
            problems.add(r.line(), r.column(), job.path("repository"), "a mirror job has no repository; it writes"
                    + " the tree given in 'mirror'");
        }
        // counted before the section is read: an unknown key in it (a misspelt 'target') is one of its problems
        int before = problems.size();
        Optional<ConfigSection> section = job.section("mirror", MIRROR_JOB_KEYS);
        if (section.isEmpty()) {
            if (job.present("mirror").isEmpty()) {
                job.missing("mirror", "a mapping with directory (or tls and target) and layout");
            }
            return Optional.empty();
        }
        ConfigSection m = section.get();
        List<String> ways = List.of("directory", "tls", "ssh", "pulled_by", "reverse_pull", "pull").stream()
                .filter(k -> m.present(k).isPresent()).toList();
        boolean pull = ways.contains("pull");
        List<String> exclusive = pull ? ways.stream().filter(k -> !k.equals("directory")).toList() : ways;
        if (exclusive.size() > 1) {
            YamlNode.Entry second = m.present(exclusive.get(1)).orElseThrow();
            problems.add(second.line(), second.column(), m.path(exclusive.get(1)), "set one of "
                    + String.join(", ", exclusive) + ", not several: a mirror job is local (directory), pushed (tls"
                    + " or ssh), pulled by its receiver (pulled_by, reverse_pull) or pulls (pull)");
            return Optional.empty();
        }
        if (ways.isEmpty()) {
            m.missing("directory", "the local target directory; or tls or ssh with target to push to a receiver;"
                    + " or pulled_by, reverse_pull or pull");
            return Optional.empty();
        }
        String way = exclusive.get(0);
        Path directory = m.optional("directory", reader.path()).orElse(null);
        if (pull && directory == null) {
            m.missing("directory", "the directory this receiver writes what it pulls into");
        }
        ConnectSpec connect = null;
        Set<String> pulledBy = Set.of();
        ConnectSpec reverse = null;
        PullSourceSpec source = null;
        switch (way) {
            case "tls" -> connect = connects.mirrorTls(m).orElse(null);
            case "ssh" -> connect = connects.ssh(m).orElse(null);
            case "pulled_by" -> pulledBy = listenerIdentities.expectEach(m, "pulled_by",
                    "a list of receiver identities", "a receiver that pulls this mirror job");
            case "reverse_pull" -> reverse = m.section("reverse_pull", ConnectBinder.CONNECT_KEYS)
                    .flatMap(r -> connects.connect(r, true)).orElse(null);
            case "pull" -> source = m.section("pull", PullSourceBinder.SOURCE_KEYS)
                    .map(p -> pullSources.pullSource(p, true)).orElse(null);
            default -> { }
        }
        String target = m.optional("target", Conversion.jobName()).orElse(null);
        String layout = m.optional("layout", Conversion.oneOf("a layout", MirrorJobSpec.LAYOUTS)).orElse("in-place");
        boolean delete = m.optional("delete", Conversion.bool()).orElse(true);
        boolean deleteExcluded = m.optional("delete_excluded", Conversion.bool()).orElse(false);
        boolean fakeSuper = m.optional("fake_super", Conversion.bool()).orElse(false);
        int keep = m.optional("keep_snapshots", Conversion.count()).orElse(0);
        boolean sourceFakeSuper = m.optional("source_fake_super", Conversion.bool()).orElse(false);
        boolean push = way.equals("tls") || way.equals("ssh");
        if (push && target == null) {
            m.missing("target", "the receiver's target name (a key of its global.mirror.clients.ID.targets)");
        }
        if (!push) {
            m.present("target").ifPresent(t -> problems.add(t.line(), t.column(), m.path("target"), "target names a"
                    + " receiver's target; only a mirror job that pushes (tls or ssh) has one"));
        }
        if (way.equals("pulled_by") || way.equals("reverse_pull")) {
            for (String key : MIRROR_WRITER_KEYS) {
                m.present(key).ifPresent(e -> problems.add(e.line(), e.column(), m.path(key), "a mirror job its"
                        + " receiver pulls leaves " + key + " to the receiver; set it in the receiver's pull job"));
            }
        }
        if (pull) {
            m.present("source_fake_super").ifPresent(e -> problems.add(e.line(), e.column(),
                    m.path("source_fake_super"), "source_fake_super describes the sender's tree; set it in the"
                    + " sender's job"));
        }
        if (problems.size() != before || connect == null && push || reverse == null && way.equals("reverse_pull")
                || source == null && pull || pulledBy.isEmpty() && way.equals("pulled_by")) {
            return Optional.empty();
        }
        return Optional.of(new MirrorJobSpec(directory, target, connect, pulledBy, reverse, source, layout, delete,
                deleteExcluded, fakeSuper, keep, sourceFakeSuper));
    }
}
