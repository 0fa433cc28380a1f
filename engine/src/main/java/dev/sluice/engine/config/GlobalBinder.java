package dev.sluice.engine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Binds the {@code global} section (runtime directory, log level, host, metrics, listeners, sink, mirror receiver)
 * onto a {@link GlobalSpec}, and checks that the sink's clients and the mirror receiver have a listener.
 */
final class GlobalBinder {

    static final List<String> GLOBAL_KEYS = List.of("runtime_dir", "log_level", "host", "metrics",
            "shutdown_grace", "listen", "sink", "mirror");
    private static final List<String> MIRROR_RECEIVER_KEYS = List.of("clients");
    private static final List<String> MIRROR_CLIENT_KEYS = List.of("targets");

    private final NodeReader reader;
    private final Problems problems;
    private final Supplier<String> machineHost;
    private final ListenBinder listeners;
    private final SinkBinder sinks;

    /**
     * @param machineHost supplies the default host name; throws IllegalStateException with a sentence when the
     *     machine's name cannot be found
     */
    GlobalBinder(NodeReader reader, Supplier<String> machineHost, ListenBinder listeners, SinkBinder sinks) {
        this.reader = reader;
        this.problems = reader.problems();
        this.machineHost = machineHost;
        this.listeners = listeners;
        this.sinks = sinks;
    }

    GlobalSpec global(ConfigSection top) {
        Optional<ConfigSection> section = top.section("global", GLOBAL_KEYS);
        Path runtimeDir = section.flatMap(s -> s.optional("runtime_dir", reader.path()))
                .orElse(GlobalSpec.DEFAULT_RUNTIME_DIR);
        String logLevel = section.flatMap(s -> s.optional("log_level",
                        Conversion.oneOf("a log level", GlobalSpec.LOG_LEVELS)))
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
            hostName = reader.scalar(hostEntry.get().value(), "global.host", host).orElse(null);
        } else {
            hostName = defaultHost(section.map(s -> (YamlNode) s.mapping()).orElse(top.mapping()));
        }
        Conversion<String> metricsAddress = new Conversion<>("a metrics address", value -> {
            String problem = GlobalSpec.metricsProblem(value);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            return value;
        });
        String metrics = section.flatMap(s -> s.optional("metrics", metricsAddress)).orElse(GlobalSpec.DEFAULT_METRICS);
        Duration grace = section.flatMap(s -> s.optional("shutdown_grace", Conversion.duration()))
                .orElse(GlobalSpec.DEFAULT_SHUTDOWN_GRACE);
        int before = problems.size();
        Optional<ConfigSection> listen = section.flatMap(listeners::listen);
        ListenTlsSpec listenTls = listeners.tls(listen);
        ListenStdinSpec listenStdin = listeners.stdin(listen);
        SinkSpec sink = section.flatMap(s -> s.section("sink", SinkBinder.SINK_KEYS)).flatMap(sinks::sink)
                .orElse(null);
        MirrorReceiverSpec mirror = section.flatMap(s -> s.section("mirror", MIRROR_RECEIVER_KEYS))
                .flatMap(this::mirrorReceiver).orElse(null);
        if (problems.size() == before && section.isPresent()) {
            ConfigSection g = section.get();
            boolean listening = listenTls != null || listenStdin != null;
            if (mirror != null && !listening) {
                problems.at(g.mapping(), "global.listen", "global.mirror is set but neither global.listen.tls nor"
                        + " global.listen.stdinserver is; a mirror receiver needs a listener");
            } else if (sink != null && !listening) {
                problems.at(g.mapping(), "global.listen", "global.sink is set but neither global.listen.tls nor"
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
    private Optional<MirrorReceiverSpec> mirrorReceiver(ConfigSection mirror) {
        int before = problems.size();
        Map<String, Map<String, Path>> clients = new TreeMap<>();
        mirror.eachClient("{targets: {NAME: DIRECTORY}}", "targets", MIRROR_CLIENT_KEYS, (identity, client) -> {
            Optional<ConfigSection> targets = client.section("targets", null);
            if (targets.isEmpty()) {
                if (client.present("targets").isEmpty()) {
                    client.missing("targets", "a mapping from target names to directories");
                }
                return;
            }
            Map<String, Path> byName = new TreeMap<>();
            for (YamlNode.Entry t : targets.get().mapping().entries().values()) {
                if (!JobSpec.NAME.matcher(t.key()).matches()) {
                    problems.add(t.line(), t.column(), targets.get().path(t.key()), "invalid target name '"
                            + t.key() + "'; expected letters, digits, '.', '-' and '_'");
                    continue;
                }
                reader.scalar(t.value(), targets.get().path(t.key()), reader.path())
                        .ifPresent(p -> byName.put(t.key(), p));
            }
            if (byName.isEmpty() && problems.size() == before) {
                problems.at(targets.get().mapping(), targets.get().path(), "no target is listed");
            }
            clients.put(identity, byName);
        });
        if (problems.size() != before || clients.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new MirrorReceiverSpec(clients));
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
}
