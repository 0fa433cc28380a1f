package dev.sluice.engine.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Maps a {@link YamlNode} tree onto the {@code *Spec} records, recording every problem it meets and carrying
 * on with defaults so that one pass reports them all.
 */
final class ConfigBinder {

    private static final List<String> TOP_KEYS = List.of("global", "jobs");
    private static final List<String> GLOBAL_KEYS = List.of("runtime_dir", "log_level", "host", "metrics",
            "shutdown_grace", "listen", "sink", "mirror");
    private static final List<String> LISTEN_KEYS = List.of("tls", "stdinserver");
    private static final List<String> LISTEN_STDIN_KEYS = List.of("clients");
    private static final List<String> LISTEN_TLS_KEYS = List.of("address", "ca", "cert", "key", "clients");
    private static final List<String> SINK_KEYS = List.of("repository", "clients", "snapshot_rate_limit",
            "prune_schedule");
    private static final List<String> SINK_CLIENT_KEYS = List.of("jobs", "retention", "job_retention");
    /** The keys that make a repository mapping remote; a mapping has at most one of them. */
    private static final List<String> REMOTE_REPOSITORY_KEYS = List.of("sink", "pull", "reverse_pull");
    private static final List<String> CONNECT_KEYS = List.of("tls", "ssh");
    private static final List<String> TLS_CONNECT_KEYS = List.of("address", "server_name", "ca", "cert", "key");
    private static final List<String> SSH_CONNECT_KEYS = List.of("address", "user", "identity_file", "options",
            "identity", "peer");
    private static final List<String> PULL_KEYS = List.of("sinks");
    private static final List<String> SOURCE_KEYS = List.of("job", "tls", "ssh", "reverse", "wait",
            "snapshot_rate_limit");
    private static final List<String> JOB_KEYS = List.of("name", "type", "paths", "include", "exclude",
            "one_file_system", "exclude_caches", "repository", "key_file", "password_file", "chunker", "compression",
            "hooks", "retention", "schedule", "source", "mirror");
    private static final List<String> MIRROR_RECEIVER_KEYS = List.of("clients");
    private static final List<String> MIRROR_CLIENT_KEYS = List.of("targets");
    private static final List<String> MIRROR_JOB_KEYS = List.of("directory", "target", "tls", "ssh", "pulled_by",
            "reverse_pull", "pull", "layout", "delete", "delete_excluded", "fake_super", "keep_snapshots",
            "source_fake_super");
    /** The keys a writing side chooses; a pulled (sending) mirror job leaves them to its receiver. */
    private static final List<String> MIRROR_WRITER_KEYS = List.of("layout", "delete", "delete_excluded",
            "fake_super", "keep_snapshots");
    private static final List<String> MIRROR_TLS_KEYS = List.of("address", "server_name", "ca", "cert", "key",
            "insecure_skip_verify");
    private static final List<String> LOCAL_REPOSITORY_KEYS = List.of("path");
    private static final List<String> CHUNKER_KEYS = List.of("min", "avg", "max");
    private static final List<String> COMPRESSION_KEYS = List.of("algorithm", "level");
    private static final List<String> RETENTION_KEYS = List.of("keep_last", "keep_hourly", "keep_daily",
            "keep_weekly", "keep_monthly", "keep_yearly", "keep_within");
    /** A job's retention block may also say when the daemon prunes the job by itself. */
    private static final List<String> JOB_RETENTION_KEYS = List.of("keep_last", "keep_hourly", "keep_daily",
            "keep_weekly", "keep_monthly", "keep_yearly", "keep_within", "schedule");
    private static final List<String> HOOK_KEYS = List.of("point", "path", "args", "timeout", "on_error", "async");

    private final Problems problems;
    private final Path baseDir;
    private final Supplier<String> machineHost;

    private final Conversion<String> text = new Conversion<>("a text value", Function.identity());
    private final Conversion<Path> path;
    private final Conversion<ByteSize> size = new Conversion<>("a size like 64MiB", ByteSize::parse);
    private final Conversion<Duration> duration = new Conversion<>("a duration like 15m", DurationSyntax::parse);
    /** Identities that jobs name as peers reaching this machine's listeners (pull sinks, reverse sources). */
    private final List<IdentityUse> listenerIdentities = new ArrayList<>();

    /** An identity a job expects on this machine's listeners, with where it is written. */
    private record IdentityUse(String identity, YamlNode where, String path, String role) {}

    /**
     * @param machineHost supplies the default host name; throws IllegalStateException with a sentence when the
     *     machine's name cannot be found
     */
    private ConfigBinder(Problems problems, Path baseDir, Supplier<String> machineHost) {
        this.problems = problems;
        this.baseDir = baseDir;
        this.machineHost = machineHost;
        this.path = new Conversion<>("a path", this::resolvePath);
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
        Section top = new Section((YamlNode.Mapping) root, "", TOP_KEYS);
        GlobalSpec global = global(top);
        List<JobSpec> jobs = new ArrayList<>();
        Optional<YamlNode.Entry> jobsEntry = top.present("jobs");
        // A machine that is only a sink runs no jobs of its own.
        boolean sinkOnly = top.present("global").map(YamlNode.Entry::value)
                .filter(g -> g instanceof YamlNode.Mapping m && (m.entries().containsKey("sink")
                        || m.entries().containsKey("mirror"))).isPresent();
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
                job(list.items().get(i), "jobs[" + i + "]", firstUse).ifPresent(jobs::add);
            }
        } else {
            wrongType(jobsEntry.get().value(), "jobs", "a list of jobs");
        }
        if (global != null && problems.isEmpty()) {
            crossCheckListeners(top, global);
        }
        if (global == null || !problems.isEmpty()) {
            return null;
        }
        return new SluiceConfig(file, global, jobs);
    }

    // ---- global ----------------------------------------------------------------------------------------

    private GlobalSpec global(Section top) {
        Optional<Section> section = top.section("global", GLOBAL_KEYS);
        Path runtimeDir = section.flatMap(s -> s.optional("runtime_dir", path)).orElse(GlobalSpec.DEFAULT_RUNTIME_DIR);
        String logLevel = section.flatMap(s -> s.optional("log_level", oneOf("a log level", GlobalSpec.LOG_LEVELS)))
                .orElse(GlobalSpec.DEFAULT_LOG_LEVEL);
        Conversion<String> host = new Conversion<>("a host name", value -> {
            if (!GlobalSpec.HOST_NAME.matcher(value).matches()) {
                throw new IllegalArgumentException(GlobalSpec.hostProblem(value));
            }
            return value;
        });
        Optional<YamlNode.Entry> hostEntry = section.flatMap(s -> s.present("host"));
        String hostName;
        if (hostEntry.isPresent()) {
            hostName = scalar(hostEntry.get().value(), "global.host", host).orElse(null);
        } else {
            hostName = defaultHost(section.map(s -> (YamlNode) s.mapping).orElse(top.mapping));
        }
        Conversion<String> metricsAddress = new Conversion<>("a metrics address", value -> {
            String problem = GlobalSpec.metricsProblem(value);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            return value;
        });
        String metrics = section.flatMap(s -> s.optional("metrics", metricsAddress)).orElse(GlobalSpec.DEFAULT_METRICS);
        Duration grace = section.flatMap(s -> s.optional("shutdown_grace", duration))
                .orElse(GlobalSpec.DEFAULT_SHUTDOWN_GRACE);
        int before = problems.size();
        Optional<Section> listen = section.flatMap(s -> s.section("listen", LISTEN_KEYS));
        ListenTlsSpec listenTls = listen.flatMap(l -> l.section("tls", LISTEN_TLS_KEYS)).flatMap(this::listenTls)
                .orElse(null);
        Optional<Section> stdinSection = listen.flatMap(l -> l.section("stdinserver", LISTEN_STDIN_KEYS));
        ListenStdinSpec listenStdin = stdinSection.flatMap(this::listenStdin).orElse(null);
        SinkSpec sink = section.flatMap(s -> s.section("sink", SINK_KEYS)).flatMap(this::sink).orElse(null);
        MirrorReceiverSpec mirror = section.flatMap(s -> s.section("mirror", MIRROR_RECEIVER_KEYS))
                .flatMap(this::mirrorReceiver).orElse(null);
        if (problems.size() == before && section.isPresent()) {
            Section g = section.get();
            boolean listening = listenTls != null || listenStdin != null;
            if (mirror != null && !listening) {
                problems.at(g.mapping, "global.listen", "global.mirror is set but neither global.listen.tls nor"
                        + " global.listen.stdinserver is; a mirror receiver needs a listener");
            } else if (sink != null && !listening) {
                problems.at(g.mapping, "global.listen", "global.sink is set but neither global.listen.tls nor"
                        + " global.listen.stdinserver is; a sink needs a listener");
            } else if (sink != null) {
                for (String identity : sink.clients().keySet()) {
                    boolean tls = listenTls != null && listenTls.clients().containsValue(identity);
                    boolean stdin = listenStdin != null && listenStdin.clients().contains(identity);
                    if (!tls && !stdin) {
                        YamlNode where = g.present("sink").orElseThrow().value();
                        problems.at(where, "global.sink.clients." + identity, "identity '" + identity
                                + "' is not given to any certificate in global.listen.tls.clients nor listed in"
                                + " global.listen.stdinserver.clients");
                    }
                }
            }
        }
        if (hostName == null || problems.size() != before) {
            return null;
        }
        return new GlobalSpec(runtimeDir, logLevel, hostName, metrics, grace, listenTls, listenStdin, sink, mirror);
    }

    /** {@code global.mirror: {clients: {ID: {targets: {NAME: DIRECTORY}}}}}. */
    private Optional<MirrorReceiverSpec> mirrorReceiver(Section mirror) {
        int before = problems.size();
        Map<String, Map<String, Path>> clients = new TreeMap<>();
        forEachClient(mirror, "{targets: {NAME: DIRECTORY}}", "targets", MIRROR_CLIENT_KEYS, (identity, client) -> {
            Optional<Section> targets = client.section("targets", null);
            if (targets.isEmpty()) {
                if (client.present("targets").isEmpty()) {
                    client.missing("targets", "a mapping from target names to directories");
                }
                return;
            }
            Map<String, Path> byName = new TreeMap<>();
            for (YamlNode.Entry t : targets.get().mapping.entries().values()) {
                if (!JobSpec.NAME.matcher(t.key()).matches()) {
                    problems.add(t.line(), t.column(), targets.get().path(t.key()), "invalid target name '"
                            + t.key() + "'; expected letters, digits, '.', '-' and '_'");
                    continue;
                }
                scalar(t.value(), targets.get().path(t.key()), path).ifPresent(p -> byName.put(t.key(), p));
            }
            if (byName.isEmpty() && problems.size() == before) {
                problems.at(targets.get().mapping, targets.get().path, "no target is listed");
            }
            clients.put(identity, byName);
        });
        if (problems.size() != before || clients.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new MirrorReceiverSpec(clients));
    }

    /**
     * After the jobs are read: a listener must serve someone (the sink's clients, the sinks that pull a job, the
     * sources of reverse pulls), and every identity a job expects on a listener must be one the listener maps.
     */
    private void crossCheckListeners(Section top, GlobalSpec global) {
        Set<String> listened = new HashSet<>();
        if (global.listenTls() != null) {
            listened.addAll(global.listenTls().clients().values());
        }
        if (global.listenStdin() != null) {
            listened.addAll(global.listenStdin().clients());
        }
        for (IdentityUse use : listenerIdentities) {
            if (!listened.contains(use.identity())) {
                problems.at(use.where(), use.path(), "unknown identity '" + use.identity() + "': " + use.role()
                        + " must reach this machine's listener, but no certificate in global.listen.tls.clients maps"
                        + " to it and global.listen.stdinserver.clients does not list it");
            }
        }
        boolean listening = global.listenTls() != null || global.listenStdin() != null;
        if (listening && global.sink() == null && global.mirror() == null && listenerIdentities.isEmpty()) {
            Section g = top.section("global", GLOBAL_KEYS).orElseThrow();
            problems.at(g.mapping, "global.sink", "global.listen is set but nothing uses it: set global.sink (a"
                    + " sink's repository and its clients' jobs), global.mirror (mirror targets), a job pulled by a sink"
                    + " (repository: {pull: ...} or mirror: {pulled_by: ...}) or a reverse pull job (source: {reverse:"
                    + " ...} or mirror: {pull: {reverse: ...}})");
        }
        if (global.listenStdin() != null) {
            Set<String> used = new HashSet<>();
            if (global.sink() != null) {
                used.addAll(global.sink().clients().keySet());
            }
            if (global.mirror() != null) {
                used.addAll(global.mirror().clients().keySet());
            }
            listenerIdentities.forEach(u -> used.add(u.identity()));
            Section g = top.section("global", GLOBAL_KEYS).orElseThrow();
            Section stdin = g.section("listen", LISTEN_KEYS).orElseThrow().section("stdinserver", LISTEN_STDIN_KEYS)
                    .orElseThrow();
            YamlNode.Sequence list = (YamlNode.Sequence) stdin.present("clients").orElseThrow().value();
            for (int i = 0; i < list.items().size(); i++) {
                YamlNode item = list.items().get(i);
                String identity = ((YamlNode.Scalar) item).text();
                if (!used.contains(identity)) {
                    problems.at(item, "global.listen.stdinserver.clients[" + i + "]", "identity '" + identity
                            + "' is not listed in global.sink.clients or global.mirror.clients nor used by a pull"
                            + " job; give it the jobs it may push");
                }
            }
        }
    }

    private Optional<ListenStdinSpec> listenStdin(Section stdin) {
        int before = problems.size();
        List<String> clients = stdin.requiredList("clients", identity(), "a list of client identities");
        if (problems.size() != before || clients.isEmpty()) {
            return Optional.empty();
        }
        Set<String> unique = new HashSet<>();
        for (String identity : clients) {
            if (!unique.add(identity)) {
                YamlNode where = stdin.present("clients").orElseThrow().value();
                problems.at(where, stdin.path("clients"), "identity '" + identity + "' is listed twice");
            }
        }
        if (problems.size() != before) {
            return Optional.empty();
        }
        return Optional.of(new ListenStdinSpec(unique));
    }

    private Optional<ListenTlsSpec> listenTls(Section tls) {
        int before = problems.size();
        Optional<HostPort> address = tls.required("address", address(0));
        Optional<Path> ca = tls.required("ca", path);
        Optional<Path> cert = tls.required("cert", path);
        Optional<Path> key = tls.required("key", path);
        Map<String, String> clients = new TreeMap<>();
        Optional<Section> clientSection = tls.section("clients", null);
        if (clientSection.isEmpty() && tls.present("clients").isEmpty()) {
            tls.missing("clients", "a mapping from client certificate names to identities");
        }
        clientSection.ifPresent(c -> {
            if (c.mapping.entries().isEmpty()) {
                problems.at(c.mapping, c.path, "no client certificate is listed");
            }
            for (YamlNode.Entry entry : c.mapping.entries().values()) {
                scalar(entry.value(), c.path(entry.key()), identity()).ifPresent(id -> clients.put(entry.key(), id));
            }
        });
        if (problems.size() != before || address.isEmpty() || ca.isEmpty() || cert.isEmpty() || key.isEmpty()
                || clients.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ListenTlsSpec(address.get().host(), address.get().port(), ca.get(), cert.get(),
                key.get(), clients));
    }

    private Optional<SinkSpec> sink(Section sink) {
        int before = problems.size();
        Optional<Path> repository = sink.required("repository", path);
        int perHour = sink.optional("snapshot_rate_limit", rateLimit()).orElse(SinkSpec.DEFAULT_SNAPSHOTS_PER_HOUR);
        Map<String, Set<String>> clients = new TreeMap<>();
        Map<String, Map<String, RetentionSpec>> retention = new TreeMap<>();
        ScheduleSpec pruneSchedule = sink.optional("prune_schedule", schedule()).orElse(ScheduleSpec.MANUAL);
        boolean listed = forEachClient(sink, "{jobs: [...]}", "jobs", SINK_CLIENT_KEYS, (identity, client) -> {
            List<String> jobs = client.requiredList("jobs", jobName(), "a list of job names");
            if (!jobs.isEmpty()) {
                clients.put(identity, new HashSet<>(jobs));
                Map<String, RetentionSpec> policies = clientRetention(client, jobs);
                if (!policies.isEmpty()) {
                    retention.put(identity, policies);
                }
            }
        });
        if (!(pruneSchedule instanceof ScheduleSpec.Manual) && retention.isEmpty() && listed) {
            problems.at(sink.present("prune_schedule").orElseThrow().value(), sink.path("prune_schedule"),
                    "prune_schedule is set but no client has a retention policy, so there is nothing to prune; give"
                            + " a client 'retention' or 'job_retention'");
        }
        if (problems.size() != before || repository.isEmpty() || clients.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SinkSpec(repository.get(), clients, perHour, retention, pruneSchedule));
    }

    /**
     * Reads {@code holder.clients}, a mapping from identities to mappings with {@code clientKeys}, and hands each
     * well-formed client to {@code each}; a missing or empty mapping, an invalid identity or a client that is not a
     * mapping is reported.
     *
     * @param shape    how a client's value looks, for the "missing" message (e.g. {@code {jobs: [...]}})
     * @param firstKey the key a client mapping must have, for the wrong-type message
     * @return whether a {@code clients} mapping was there
     */
    private boolean forEachClient(Section holder, String shape, String firstKey, List<String> clientKeys,
            java.util.function.BiConsumer<String, Section> each) {
        Optional<Section> clientSection = holder.section("clients", null);
        if (clientSection.isEmpty() && holder.present("clients").isEmpty()) {
            holder.missing("clients", "a mapping from identities to " + shape);
        }
        clientSection.ifPresent(c -> {
            if (c.mapping.entries().isEmpty()) {
                problems.at(c.mapping, c.path, "no client identity is listed");
            }
            for (YamlNode.Entry entry : c.mapping.entries().values()) {
                String at = c.path(entry.key());
                if (!GlobalSpec.HOST_NAME.matcher(entry.key()).matches()) {
                    problems.add(entry.line(), entry.column(), at, "invalid identity '" + entry.key()
                            + "'; expected letters, digits, '.', '-' and '_'");
                    continue;
                }
                if (!(entry.value() instanceof YamlNode.Mapping m)) {
                    wrongType(entry.value(), at, "a mapping with the key " + firstKey);
                    continue;
                }
                each.accept(entry.key(), new Section(m, at, clientKeys));
            }
        });
        return clientSection.isPresent();
    }

    /**
     * A sink client's policies per job: {@code retention} applies to each of its jobs, {@code job_retention}
     * ({@code JOB: {keep_...}}) replaces it for the jobs it names, which must be among the client's jobs.
     */
    private Map<String, RetentionSpec> clientRetention(Section client, List<String> jobs) {
        Map<String, RetentionSpec> policies = new TreeMap<>();
        RetentionSpec all = retention(client, "retention", RETENTION_KEYS);
        if (all != null) {
            jobs.forEach(job -> policies.put(job, all));
        }
        client.section("job_retention", null).ifPresent(perJob -> {
            for (YamlNode.Entry e : perJob.mapping.entries().values()) {
                if (!jobs.contains(e.key())) {
                    problems.add(e.line(), e.column(), perJob.path(e.key()), "job '" + e.key() + "' is not in this"
                            + " client's jobs (" + String.join(", ", jobs) + "); a policy needs a job it may push");
                    continue;
                }
                RetentionSpec one = retention(perJob, e.key(), RETENTION_KEYS);
                if (one != null) {
                    policies.put(e.key(), one);
                }
            }
        });
        return policies;
    }

    /** {@code N/h}: at most N snapshots per job and identity per hour. */
    private Conversion<Integer> rateLimit() {
        return new Conversion<>("a rate like 60/h", value -> {
            if (!value.matches("[0-9]{1,6}/h")) {
                throw new IllegalArgumentException("invalid snapshot rate limit '" + value
                        + "'; expected snapshots per hour like 60/h");
            }
            int n = Integer.parseInt(value.substring(0, value.length() - 2));
            if (n < 1) {
                throw new IllegalArgumentException("the snapshot rate limit must allow at least 1/h");
            }
            return n;
        });
    }

    private Conversion<String> identity() {
        return new Conversion<>("an identity", value -> {
            if (!GlobalSpec.HOST_NAME.matcher(value).matches()) {
                throw new IllegalArgumentException("invalid identity '" + value
                        + "'; expected letters, digits, '.', '-' and '_'");
            }
            return value;
        });
    }

    private Conversion<String> jobName() {
        return new Conversion<>("a job name", value -> {
            if (!JobSpec.NAME.matcher(value).matches()) {
                throw new IllegalArgumentException(JobSpec.nameProblem(value));
            }
            return value;
        });
    }

    /** A host and port taken from {@code HOST:PORT}. */
    private record HostPort(String host, int port) {}

    private Conversion<HostPort> address(int lowestPort) {
        return new Conversion<>("an address like HOST:PORT", value -> {
            var m = GlobalSpec.ADDRESS.matcher(value);
            if (!m.matches() || Integer.parseInt(m.group(2)) > 65535 || Integer.parseInt(m.group(2)) < lowestPort) {
                throw new IllegalArgumentException("invalid address '" + value + "'; expected HOST:PORT like "
                        + "backup.example.org:7443 (port " + lowestPort + " to 65535)");
            }
            String host = m.group(1);
            if (host.startsWith("[")) {
                host = host.substring(1, host.length() - 1);
            }
            return new HostPort(host, Integer.parseInt(m.group(2)));
        });
    }

    private String defaultHost(YamlNode where) {
        String name;
        try {
            name = machineHost.get();
        } catch (IllegalStateException unknown) {
            problems.at(where, "global.host", unknown.getMessage() + "; set global.host");
            return null;
        }
        if (!GlobalSpec.HOST_NAME.matcher(name).matches()) {
            problems.at(where, "global.host", "the machine's hostname cannot be used: " + GlobalSpec.hostProblem(name)
                    + "; set global.host");
            return null;
        }
        return name;
    }

    // ---- jobs ------------------------------------------------------------------------------------------

    private Optional<JobSpec> job(YamlNode node, String at, Map<String, String> firstUse) {
        if (!(node instanceof YamlNode.Mapping mapping)) {
            wrongType(node, at, "a job (a mapping with name, paths and repository)");
            return Optional.empty();
        }
        Section job = new Section(mapping, at, JOB_KEYS);
        Conversion<String> jobName = new Conversion<>("a job name", value -> {
            if (!JobSpec.NAME.matcher(value).matches()) {
                throw new IllegalArgumentException(JobSpec.nameProblem(value));
            }
            return value;
        });
        Optional<String> name = job.required("name", jobName);
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
                .filter(m -> m instanceof YamlNode.Mapping mm && mm.entries().containsKey("pull")).isPresent();
        if (type == JobType.PULL) {
            paths = List.of();
            job.present("paths").ifPresent(e -> problems.at(e.value(), job.path("paths"), "a pull job takes no"
                    + " paths; the source's job names them"));
            source = pullSource(job);
        } else if (mirrorPull) {
            paths = List.of();
            for (String key : List.of("paths", "include", "exclude")) {
                job.present(key).ifPresent(e -> problems.at(e.value(), job.path(key), "a mirror pull job takes no "
                        + key + "; the sender's job names what it sends"));
            }
        } else {
            paths = job.requiredList("paths", path, "a list of paths to back up");
            job.present("source").ifPresent(e -> problems.at(e.value(), job.path("source"), "only a pull job"
                    + " (type: pull) has a source"));
        }
        rejectRepeats(job, "paths", paths);
        List<String> include = job.list("include", pattern(), "a list of include patterns");
        List<String> exclude = job.list("exclude", pattern(), "a list of exclude patterns");
        boolean oneFileSystem = job.optional("one_file_system", bool()).orElse(false);
        boolean excludeCaches = job.optional("exclude_caches", bool()).orElse(true);
        Optional<RepositorySpec> repository = type == JobType.MIRROR ? mirrorTarget(job) : repository(job);
        if (type != JobType.MIRROR && job.present("mirror").isPresent()) {
            YamlNode.Entry m = job.present("mirror").orElseThrow();
            problems.add(m.line(), m.column(), job.path("mirror"), "'mirror' belongs to jobs of type mirror");
        }
        Path keyFile = job.optional("key_file", path).orElse(null);
        Path passwordFile = job.optional("password_file", path).orElse(null);
        if (job.present("key_file").isPresent() && job.present("password_file").isPresent()) {
            YamlNode.Entry second = job.present("password_file").orElseThrow();
            problems.add(second.line(), second.column(), job.path("password_file"),
                    "set either key_file or password_file, not both");
        }
        ChunkerSpec chunker = chunker(job);
        CompressionSpec compression = compression(job);
        List<HookSpec> hooks = hooks(job, type == JobType.PULL);
        int beforeRetention = problems.size();
        RetentionSpec retention = retention(job, "retention", JOB_RETENTION_KEYS);
        ScheduleSpec schedule = job.optional("schedule", schedule()).orElse(ScheduleSpec.MANUAL);
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
        if (type == JobType.MIRROR && !mirrorHooks(job, hooks, mirrorPull)) {
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

    private void rejectRepeats(Section job, String key, List<Path> values) {
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

    private Conversion<JobType> jobType() {
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
    private Conversion<String> pattern() {
        return new Conversion<>("a pattern", Function.identity());
    }

    // ---- repository ------------------------------------------------------------------------------------

    /**
     * A repository: a path string (local shorthand) or a mapping. A new kind of repository adds its keys and
     * one branch here, chosen by the key that only that kind has.
     */
    private Optional<RepositorySpec> repository(Section job) {
        Optional<YamlNode.Entry> entry = job.present("repository");
        String at = job.path("repository");
        if (entry.isEmpty()) {
            job.missing("repository", "a repository path like /srv/sluice or a mapping with 'path'");
            return Optional.empty();
        }
        YamlNode value = entry.get().value();
        if (value instanceof YamlNode.Mapping mapping
                && REMOTE_REPOSITORY_KEYS.stream().anyMatch(mapping.entries()::containsKey)) {
            Section remote = new Section(mapping, at, REMOTE_REPOSITORY_KEYS);
            List<String> kinds = REMOTE_REPOSITORY_KEYS.stream().filter(mapping.entries()::containsKey).toList();
            if (kinds.size() > 1) {
                YamlNode.Entry second = mapping.entries().get(kinds.get(1));
                problems.add(second.line(), second.column(), remote.path(kinds.get(1)), "set one of "
                        + String.join(", ", kinds) + ", not several");
                return Optional.empty();
            }
            String kind = kinds.get(0);
            if (kind.equals("pull")) {
                return remote.section("pull", PULL_KEYS).flatMap(this::pulledBy);
            }
            Optional<Section> transport = remote.section(kind, CONNECT_KEYS);
            if (transport.isEmpty()) {
                if (remote.present(kind).isEmpty()) {
                    remote.missing(kind, "a mapping with the key tls or ssh");
                }
                return Optional.empty();
            }
            Optional<ConnectSpec> connect = connect(transport.get(), true);
            return kind.equals("sink") ? connect.map(SinkRepositorySpec::new)
                    : connect.map(ReversePullRepositorySpec::new);
        }
        if (value instanceof YamlNode.Mapping mapping) {
            Section local = new Section(mapping, at, LOCAL_REPOSITORY_KEYS);
            return local.required("path", path).map(LocalRepositorySpec::new);
        }
        if (value instanceof YamlNode.Scalar) {
            return scalar(value, at, path).map(LocalRepositorySpec::new);
        }
        wrongType(value, at, "a repository path like /srv/sluice or a mapping with 'path'");
        return Optional.empty();
    }

    /** {@code pull: {sinks: [ID, ...]}}: the identities that may pull this job through this machine's listener. */
    private Optional<RepositorySpec> pulledBy(Section pull) {
        int before = problems.size();
        List<String> sinks = pull.requiredList("sinks", identity(), "a list of sink identities");
        if (problems.size() != before || sinks.isEmpty()) {
            return Optional.empty();
        }
        YamlNode.Sequence list = (YamlNode.Sequence) pull.present("sinks").orElseThrow().value();
        for (int i = 0; i < sinks.size(); i++) {
            listenerIdentities.add(new IdentityUse(sinks.get(i), list.items().get(i), pull.path("sinks") + "[" + i
                    + "]", "a sink that pulls this job"));
        }
        return Optional.of(new PullRepositorySpec(new HashSet<>(sinks)));
    }

    /** A pull job's {@code source}: {@code job} and exactly one of {@code tls}, {@code ssh}, {@code reverse}. */
    private PullSourceSpec pullSource(Section job) {
        Optional<Section> section = job.section("source", SOURCE_KEYS);
        if (section.isEmpty()) {
            if (job.present("source").isEmpty()) {
                job.missing("source", "a mapping with job and one of tls, ssh or reverse");
            }
            return null;
        }
        return pullSource(section.get(), false);
    }

    /**
     * {@code job} and exactly one of {@code tls}, {@code ssh}, {@code reverse} (and {@code wait}): a backup pull
     * job's {@code source} or a mirror pull job's {@code mirror.pull}, whose {@code tls} may be insecure.
     */
    private PullSourceSpec pullSource(Section source, boolean mirror) {
        int before = problems.size();
        Optional<String> sourceJob = source.required("job", jobName());
        Duration wait = source.optional("wait", duration).orElse(PullSourceSpec.DEFAULT_WAIT);
        Integer perHour = source.optional("snapshot_rate_limit", rateLimit()).orElse(null);
        List<String> ways = List.of("tls", "ssh", "reverse").stream()
                .filter(k -> source.present(k).isPresent()).toList();
        if (ways.isEmpty()) {
            problems.at(source.mapping, source.path, "the source says neither how to reach it (tls or ssh) nor whose"
                    + " link to wait for (reverse); set one of them");
            return null;
        }
        if (ways.size() > 1) {
            YamlNode.Entry second = source.present(ways.get(1)).orElseThrow();
            problems.add(second.line(), second.column(), source.path(ways.get(1)), "set one of "
                    + String.join(", ", ways) + ", not several");
            return null;
        }
        ConnectSpec connect = null;
        String reverse = null;
        if (ways.get(0).equals("reverse")) {
            reverse = source.optional("reverse", identity()).orElse(null);
            if (reverse != null) {
                listenerIdentities.add(new IdentityUse(reverse, source.present("reverse").orElseThrow().value(),
                        source.path("reverse"), "the source of a reverse pull"));
            }
        } else if (mirror && ways.get(0).equals("tls")) {
            connect = source.section("tls", MIRROR_TLS_KEYS).flatMap(t -> tlsConnect(t, true)).orElse(null);
        } else {
            connect = connect(source, false).orElse(null);
        }
        if (problems.size() != before || sourceJob.isEmpty() || connect == null && reverse == null) {
            return null;
        }
        return new PullSourceSpec(sourceJob.get(), connect, reverse, wait, perHour);
    }

    /**
     * A connect spec from a mapping holding {@code tls} or {@code ssh} (and, unless {@code only}, other keys the
     * caller reads); exactly one of them must be set.
     */
    private Optional<ConnectSpec> connect(Section holder, boolean only) {
        boolean tls = holder.present("tls").isPresent();
        boolean ssh = holder.present("ssh").isPresent();
        if (tls && ssh) {
            YamlNode.Entry second = holder.present("ssh").orElseThrow();
            problems.add(second.line(), second.column(), holder.path("ssh"), "set either tls or ssh, not both");
            return Optional.empty();
        }
        if (!tls && !ssh) {
            if (only) {
                problems.at(holder.mapping, holder.path, "missing the way to connect: set tls or ssh");
            }
            return Optional.empty();
        }
        return tls ? holder.section("tls", TLS_CONNECT_KEYS).flatMap(this::tlsConnect)
                : holder.section("ssh", SSH_CONNECT_KEYS).flatMap(this::sshConnect);
    }

    /**
     * A mirror job's {@code mirror:} block: exactly one of {@code directory} (local), {@code tls}/{@code ssh} with
     * {@code target} (push), {@code pulled_by} or {@code reverse_pull} (a sender its receiver pulls), {@code pull}
     * with {@code directory} (a receiver that pulls); and the options of the side that writes.
     */
    private Optional<RepositorySpec> mirrorTarget(Section job) {
        if (job.present("repository").isPresent()) {
            YamlNode.Entry r = job.present("repository").orElseThrow();
            problems.add(r.line(), r.column(), job.path("repository"), "a mirror job has no repository; it writes"
                    + " the tree given in 'mirror'");
        }
        Optional<Section> section = job.section("mirror", MIRROR_JOB_KEYS);
        if (section.isEmpty()) {
            if (job.present("mirror").isEmpty()) {
                job.missing("mirror", "a mapping with directory (or tls and target) and layout");
            }
            return Optional.empty();
        }
        Section m = section.get();
        int before = problems.size();
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
        Path directory = m.optional("directory", path).orElse(null);
        if (pull && directory == null) {
            m.missing("directory", "the directory this receiver writes what it pulls into");
        }
        ConnectSpec connect = null;
        Set<String> pulledBy = Set.of();
        ConnectSpec reverse = null;
        PullSourceSpec source = null;
        switch (way) {
            case "tls" -> connect = m.section("tls", MIRROR_TLS_KEYS).flatMap(t -> tlsConnect(t, true)).orElse(null);
            case "ssh" -> connect = m.section("ssh", SSH_CONNECT_KEYS).flatMap(this::sshConnect).orElse(null);
            case "pulled_by" -> pulledBy = mirrorPulledBy(m);
            case "reverse_pull" -> reverse = m.section("reverse_pull", CONNECT_KEYS)
                    .flatMap(r -> connect(r, true)).orElse(null);
            case "pull" -> source = m.section("pull", SOURCE_KEYS).map(p -> pullSource(p, true)).orElse(null);
            default -> { }
        }
        String target = m.optional("target", jobName()).orElse(null);
        String layout = m.optional("layout", oneOf("a layout", MirrorJobSpec.LAYOUTS)).orElse("in-place");
        boolean delete = m.optional("delete", bool()).orElse(true);
        boolean deleteExcluded = m.optional("delete_excluded", bool()).orElse(false);
        boolean fakeSuper = m.optional("fake_super", bool()).orElse(false);
        int keep = m.optional("keep_snapshots", count()).orElse(0);
        boolean sourceFakeSuper = m.optional("source_fake_super", bool()).orElse(false);
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

    /** {@code pulled_by: [ID, ...]}: receivers that may pull this mirror job through this machine's listener. */
    private Set<String> mirrorPulledBy(Section m) {
        int before = problems.size();
        List<String> ids = m.requiredList("pulled_by", identity(), "a list of receiver identities");
        if (problems.size() != before || ids.isEmpty()) {
            return Set.of();
        }
        YamlNode.Sequence list = (YamlNode.Sequence) m.present("pulled_by").orElseThrow().value();
        for (int i = 0; i < ids.size(); i++) {
            listenerIdentities.add(new IdentityUse(ids.get(i), list.items().get(i), m.path("pulled_by") + "[" + i
                    + "]", "a receiver that pulls this mirror job"));
        }
        return new HashSet<>(ids);
    }

    /**
     * A mirror job's hooks: prune.post never runs for a mirror; a pull job (the receiving side) runs only job.start
     * and job.end.
     */
    private boolean mirrorHooks(Section job, List<HookSpec> hooks, boolean receiving) {
        int before = problems.size();
        for (int i = 0; i < hooks.size(); i++) {
            String point = hooks.get(i).point();
            boolean fits = receiving ? point.equals("job.start") || point.equals("job.end")
                    : !point.equals("prune.post");
            if (!fits) {
                YamlNode where = ((YamlNode.Sequence) job.present("hooks").orElseThrow().value()).items().get(i);
                problems.at(where, job.path("hooks") + "[" + i + "]", "a " + (receiving ? "mirror pull job (the"
                        + " receiving side) runs hooks at job.start and job.end only" : "mirror job runs no prune.post"
                        + " hooks") + "; " + point + " does not run here");
            }
        }
        return problems.size() == before;
    }

    private Optional<ConnectSpec> tlsConnect(Section tls) {
        return tlsConnect(tls, false);
    }

    /** @param mirror a mirror job's block, where {@code insecure_skip_verify} is allowed */
    private Optional<ConnectSpec> tlsConnect(Section tls, boolean mirror) {
        int before = problems.size();
        boolean insecure = mirror && tls.optional("insecure_skip_verify", bool()).orElse(false);
        Optional<HostPort> address = tls.required("address", address(1));
        Optional<String> serverName = tls.required("server_name", identity());
        Optional<Path> ca = tls.required("ca", path);
        Optional<Path> cert = tls.required("cert", path);
        Optional<Path> key = tls.required("key", path);
        if (problems.size() != before || address.isEmpty() || serverName.isEmpty() || ca.isEmpty() || cert.isEmpty()
                || key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TlsConnectSpec(address.get().host(), address.get().port(), serverName.get(),
                ca.get(), cert.get(), key.get(), insecure));
    }

    private Optional<ConnectSpec> sshConnect(Section ssh) {
        int before = problems.size();
        Optional<HostPort> address = ssh.required("address", new Conversion<>("an address like HOST:22", value -> {
            String withPort = value.matches(".*:[0-9]{1,5}") && !value.endsWith("]") ? value : value + ":22";
            return address(1).parse().apply(withPort);
        }));
        Optional<String> user = ssh.required("user", new Conversion<>("a user name", value -> {
            if (!value.matches("[A-Za-z0-9_][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("invalid ssh user '" + value + "'; expected letters, digits, '.',"
                        + " '-' and '_', not starting with '-'");
            }
            return value;
        }));
        Optional<Path> identityFile = ssh.required("identity_file", path);
        List<String> options = ssh.list("options", new Conversion<>("an ssh option Key=value", value -> {
            if (!value.matches("[A-Za-z][A-Za-z0-9]*=[^\\n\\r]*")) {
                throw new IllegalArgumentException("invalid ssh option '" + value + "'; expected Key=value like"
                        + " StrictHostKeyChecking=yes");
            }
            return value;
        }), "a list of ssh options");
        Optional<String> self = ssh.required("identity", identity());
        Optional<String> peer = ssh.required("peer", identity());
        if (problems.size() != before || address.isEmpty() || user.isEmpty() || identityFile.isEmpty()
                || self.isEmpty() || peer.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SshConnectSpec(address.get().host(), address.get().port(), user.get(),
                identityFile.get(), options, self.get(), peer.get()));
    }

    // ---- chunker ---------------------------------------------------------------------------------------

    private ChunkerSpec chunker(Section job) {
        Optional<Section> section = job.section("chunker", CHUNKER_KEYS);
        if (section.isEmpty()) {
            return job.present("chunker").isPresent() ? null : ChunkerSpec.DEFAULT;
        }
        Section chunker = section.get();
        int before = problems.size();
        long min = chunker.optional("min", size).map(ByteSize::bytes).orElse(ChunkerSpec.DEFAULT.min());
        long avg = chunker.optional("avg", size).map(ByteSize::bytes).orElse(ChunkerSpec.DEFAULT.avg());
        long max = chunker.optional("max", size).map(ByteSize::bytes).orElse(ChunkerSpec.DEFAULT.max());
        if (problems.size() != before) {
            return null;
        }
        List<ChunkerSpec.Violation> violations = ChunkerSpec.check(min, avg, max);
        for (ChunkerSpec.Violation violation : violations) {
            YamlNode where = chunker.present(violation.field()).map(e -> (YamlNode) e.value()).orElse(chunker.mapping);
            String suffix = chunker.present(violation.field()).isPresent() ? ""
                    : " (" + violation.field() + " is not set; its default is " + defaultOf(violation.field()) + ")";
            problems.at(where, chunker.path(violation.field()), violation.message() + suffix);
        }
        return violations.isEmpty() ? new ChunkerSpec(min, avg, max) : null;
    }

    private static String defaultOf(String chunkerField) {
        ChunkerSpec d = ChunkerSpec.DEFAULT;
        long bytes = switch (chunkerField) {
            case "min" -> d.min();
            case "avg" -> d.avg();
            default -> d.max();
        };
        return ByteSize.format(bytes);
    }

    // ---- compression -----------------------------------------------------------------------------------

    private CompressionSpec compression(Section job) {
        Optional<YamlNode.Entry> entry = job.present("compression");
        String at = job.path("compression");
        if (entry.isEmpty()) {
            return CompressionSpec.DEFAULT;
        }
        Conversion<String> algorithm = oneOf("a compression algorithm", CompressionSpec.ALGORITHMS);
        YamlNode value = entry.get().value();
        if (value instanceof YamlNode.Scalar) {
            return scalar(value, at, algorithm)
                    .map(name -> name.equals("none") ? CompressionSpec.NONE : CompressionSpec.DEFAULT)
                    .orElse(null);
        }
        if (!(value instanceof YamlNode.Mapping mapping)) {
            wrongType(value, at, "zstd, none, or a mapping with 'algorithm' and 'level'");
            return null;
        }
        Section section = new Section(mapping, at, COMPRESSION_KEYS);
        int before = problems.size();
        String name = section.optional("algorithm", algorithm).orElse("zstd");
        Optional<Integer> level = section.optional("level", integer());
        if (problems.size() != before) {
            return null;
        }
        if (name.equals("none")) {
            if (level.isPresent()) {
                problems.at(section.present("level").orElseThrow().value(), section.path("level"),
                        "compression none takes no level; remove 'level' or use algorithm zstd");
                return null;
            }
            return CompressionSpec.NONE;
        }
        int zstdLevel = level.orElse(CompressionSpec.DEFAULT_ZSTD_LEVEL);
        if (zstdLevel < CompressionSpec.LOWEST_ZSTD_LEVEL || zstdLevel > CompressionSpec.HIGHEST_ZSTD_LEVEL) {
            problems.at(section.present("level").orElseThrow().value(), section.path("level"),
                    "zstd level " + zstdLevel + " is outside the range 1 to 19; 3 is the default");
            return null;
        }
        return new CompressionSpec(name, zstdLevel);
    }

    // ---- retention -------------------------------------------------------------------------------------

    private Conversion<ScheduleSpec> schedule() {
        return new Conversion<>("a schedule like every 1h", ScheduleSpec::parse);
    }

    /**
     * The retention block under {@code key}, or null when absent (or when it has problems, which are recorded);
     * {@code keys} says whether it may carry a schedule.
     */
    private RetentionSpec retention(Section parent, String key, List<String> keys) {
        Optional<Section> section = parent.section(key, keys);
        if (section.isEmpty()) {
            return null;
        }
        Section r = section.get();
        int before = problems.size();
        int[] counts = new int[6];
        for (int i = 0; i < 6; i++) {
            String rule = RETENTION_KEYS.get(i);
            counts[i] = r.optional(rule, count()).orElse(0);
        }
        Duration within = r.optional("keep_within", duration).orElse(Duration.ZERO);
        ScheduleSpec schedule = keys.contains("schedule")
                ? r.optional("schedule", schedule()).orElse(ScheduleSpec.MANUAL) : ScheduleSpec.MANUAL;
        if (problems.size() != before) {
            return null;
        }
        try {
            return new RetentionSpec(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], within,
                    schedule);
        } catch (IllegalArgumentException invalid) {
            problems.at(r.mapping, parent.path(key), invalid.getMessage());
            return null;
        }
    }

    private Conversion<Integer> count() {
        return new Conversion<>("a count like 7", value -> {
            int n;
            try {
                n = Integer.parseInt(value);
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException("expected a whole number like 7, found '" + value + "'",
                        notANumber);
            }
            if (n < 0) {
                throw new IllegalArgumentException("a retention count must not be negative, found " + n
                        + "; use 0 to switch a rule off");
            }
            return n;
        });
    }

    // ---- hooks -----------------------------------------------------------------------------------------

    /** The job's hooks; a pull job's ({@code atSink}) only at the points that run on a sink. */
    private List<HookSpec> hooks(Section job, boolean atSink) {
        Optional<YamlNode.Entry> entry = job.present("hooks");
        if (entry.isEmpty()) {
            return List.of();
        }
        String at = job.path("hooks");
        if (!(entry.get().value() instanceof YamlNode.Sequence list)) {
            wrongType(entry.get().value(), at, "a list of hooks");
            return List.of();
        }
        List<HookSpec> hooks = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            hook(list.items().get(i), at + "[" + i + "]", atSink).ifPresent(hooks::add);
        }
        return hooks;
    }

    private Optional<HookSpec> hook(YamlNode node, String at, boolean atSink) {
        if (!(node instanceof YamlNode.Mapping mapping)) {
            wrongType(node, at, "a hook (a mapping with point and path)");
            return Optional.empty();
        }
        Section hook = new Section(mapping, at, HOOK_KEYS);
        Optional<String> point = hook.required("point", oneOf("a hook point", HookPointNames.ALL));
        if (atSink && point.isPresent() && !HookPointNames.AT_SINK.contains(point.get())) {
            problems.at(hook.present("point").orElseThrow().value(), hook.path("point"), "a pull job runs at the"
                    + " sink, where only " + String.join(", ", HookPointNames.AT_SINK) + " hooks run; '"
                    + point.get() + "' runs at the source: configure it on the source's job");
            return Optional.empty();
        }
        Optional<Path> program = hook.required("path", path);
        List<String> args = hook.list("args", text, "a list of arguments");
        Duration timeout = hook.optional("timeout", duration).orElse(HookSpec.DEFAULT_TIMEOUT);
        if (timeout.isZero()) {
            problems.at(hook.present("timeout").orElseThrow().value(), hook.path("timeout"),
                    "a hook timeout must be longer than zero, for example 30s or 5m");
            return Optional.empty();
        }
        HookSpec.OnError onError = hook.optional("on_error", oneOf("abort or warn", List.of("abort", "warn")))
                .map(value -> HookSpec.OnError.valueOf(value.toUpperCase(Locale.ROOT)))
                .orElse(HookSpec.OnError.ABORT);
        boolean async = hook.optional("async", bool()).orElse(false);
        if (point.isEmpty() || program.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HookSpec(point.get(), program.get(), args, timeout, onError, async));
    }

    // ---- scalar conversions ----------------------------------------------------------------------------

    /** Converts a scalar's text; the function throws IllegalArgumentException with a full sentence. */
    private record Conversion<T>(String expected, Function<String, T> parse) {}

    private Conversion<String> oneOf(String what, List<String> allowed) {
        return new Conversion<>(what, value -> {
            if (!allowed.contains(value)) {
                throw new IllegalArgumentException("unknown value '" + value + "'; expected one of "
                        + String.join(", ", allowed));
            }
            return value;
        });
    }

    /** Only the words true and false, so that YAML 1.1's yes/no/on/off do not surprise anyone. */
    private Conversion<Boolean> bool() {
        return new Conversion<>("true or false", value -> {
            if (value.equals("true")) {
                return Boolean.TRUE;
            }
            if (value.equals("false")) {
                return Boolean.FALSE;
            }
            throw new IllegalArgumentException("expected true or false, found '" + value + "'");
        });
    }

    private Conversion<Integer> integer() {
        return new Conversion<>("a whole number", value -> {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException("expected a whole number like 3, found '" + value + "'",
                        notANumber);
            }
        });
    }

    private Path resolvePath(String value) {
        try {
            return baseDir.resolve(Path.of(value));
        } catch (InvalidPathException invalid) {
            throw new IllegalArgumentException("invalid path '" + value + "': " + invalid.getReason(), invalid);
        }
    }

    /**
     * Converts a non-empty value; records a problem and returns empty when it is not a scalar or does not
     * convert.
     */
    private <T> Optional<T> scalar(YamlNode node, String at, Conversion<T> conversion) {
        if (!(node instanceof YamlNode.Scalar scalar)) {
            wrongType(node, at, conversion.expected());
            return Optional.empty();
        }
        switch (scalar.kind()) {
            case INVALID:
                return Optional.empty();
            case EMPTY:
                problems.at(node, at, "empty value; expected " + conversion.expected());
                return Optional.empty();
            default:
                try {
                    return Optional.of(conversion.parse().apply(scalar.text()));
                } catch (IllegalArgumentException invalid) {
                    problems.at(node, at, invalid.getMessage());
                    return Optional.empty();
                }
        }
    }

    private void wrongType(YamlNode node, String at, String expected) {
        if (node instanceof YamlNode.Scalar scalar && scalar.kind() == YamlNode.Kind.INVALID) {
            return;
        }
        problems.at(node, at, "expected " + expected + ", found " + node.describe());
    }

    private static boolean isEmpty(YamlNode node) {
        return node instanceof YamlNode.Scalar scalar && scalar.kind() == YamlNode.Kind.EMPTY;
    }

    /** A mapping being read: reports its unknown keys once, then hands out typed values by key. */
    private final class Section {
        private final YamlNode.Mapping mapping;
        private final String path;
        /** Known keys that an unknown key was taken for; their absence is not reported a second time. */
        private final Set<String> suggested = new HashSet<>();

        /** @param known the keys allowed here, or null when any key is a name (a map of clients) */
        Section(YamlNode.Mapping mapping, String path, List<String> known) {
            this.mapping = mapping;
            this.path = path;
            for (YamlNode.Entry entry : mapping.entries().values()) {
                if (known != null && !known.contains(entry.key())) {
                    Optional<String> closest = KeySuggestion.closest(entry.key(), known);
                    closest.ifPresent(suggested::add);
                    String hint = closest.map(key -> "did you mean '" + key + "'?")
                            .orElse("known keys here: " + String.join(", ", known));
                    problems.add(entry.line(), entry.column(), path(entry.key()),
                            "unknown key '" + entry.key() + "'; " + hint);
                }
            }
        }

        String path(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        /** The entry for a key when it is there with a value; an empty value counts as not set. */
        Optional<YamlNode.Entry> present(String key) {
            YamlNode.Entry entry = mapping.entries().get(key);
            return entry == null || isEmpty(entry.value()) ? Optional.empty() : Optional.of(entry);
        }

        void missing(String key, String expected) {
            YamlNode.Entry entry = mapping.entries().get(key);
            if (entry == null && suggested.contains(key)) {
                return; // the misspelt key's problem already names this one
            }
            if (entry != null) {
                problems.at(entry.value(), path(key), "'" + key + "' has no value; expected " + expected);
            } else {
                problems.at(mapping, path(key), "missing required key '" + key + "' (" + expected + ")");
            }
        }

        <T> Optional<T> optional(String key, Conversion<T> conversion) {
            return present(key).flatMap(entry -> scalar(entry.value(), path(key), conversion));
        }

        <T> Optional<T> required(String key, Conversion<T> conversion) {
            if (present(key).isEmpty()) {
                missing(key, conversion.expected());
                return Optional.empty();
            }
            return optional(key, conversion);
        }

        /** A nested mapping; records a problem and returns empty when the value is something else. */
        Optional<Section> section(String key, List<String> known) {
            Optional<YamlNode.Entry> entry = present(key);
            if (entry.isEmpty()) {
                return Optional.empty();
            }
            if (entry.get().value() instanceof YamlNode.Mapping nested) {
                return Optional.of(new Section(nested, path(key), known));
            }
            wrongType(entry.get().value(), path(key), known == null ? "a mapping"
                    : "a mapping with the keys " + String.join(", ", known));
            return Optional.empty();
        }

        /** A list of scalars; an absent key gives the empty list. */
        <T> List<T> list(String key, Conversion<T> conversion, String expected) {
            Optional<YamlNode.Entry> entry = present(key);
            if (entry.isEmpty()) {
                return List.of();
            }
            if (!(entry.get().value() instanceof YamlNode.Sequence sequence)) {
                wrongType(entry.get().value(), path(key), expected);
                return List.of();
            }
            List<T> values = new ArrayList<>();
            for (int i = 0; i < sequence.items().size(); i++) {
                scalar(sequence.items().get(i), path(key) + "[" + i + "]", conversion).ifPresent(values::add);
            }
            return values;
        }

        /** A list that must be present and hold at least one item. */
        <T> List<T> requiredList(String key, Conversion<T> conversion, String expected) {
            Optional<YamlNode.Entry> entry = present(key);
            if (entry.isEmpty()) {
                missing(key, expected);
                return List.of();
            }
            if (entry.get().value() instanceof YamlNode.Sequence sequence && sequence.items().isEmpty()) {
                problems.at(sequence, path(key), "the list is empty; expected " + expected + " with at least one item");
                return List.of();
            }
            return list(key, conversion, expected);
        }
    }
}
