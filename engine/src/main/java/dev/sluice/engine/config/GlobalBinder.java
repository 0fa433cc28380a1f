package dev.sluice.engine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Binds the {@code global} section (runtime directory, log level, host, metrics, listeners, sink, mirror receiver)
 * onto a {@link GlobalSpec}, and checks once the jobs are read that the listeners and the identities fit together.
 */
final class GlobalBinder {

    private static final List<String> GLOBAL_KEYS = List.of("runtime_dir", "log_level", "host", "metrics",
            "shutdown_grace", "listen", "sink", "mirror");
    private static final List<String> LISTEN_KEYS = List.of("tls", "stdinserver");
    private static final List<String> LISTEN_STDIN_KEYS = List.of("clients");
    private static final List<String> LISTEN_TLS_KEYS = List.of("address", "ca", "cert", "key", "clients");
    private static final List<String> MIRROR_RECEIVER_KEYS = List.of("clients");
    private static final List<String> MIRROR_CLIENT_KEYS = List.of("targets");

    private final NodeReader reader;
    private final Problems problems;
    private final Supplier<String> machineHost;
    private final SinkBinder sinks;

    /**
     * @param machineHost supplies the default host name; throws IllegalStateException with a sentence when the
     *     machine's name cannot be found
     */
    GlobalBinder(NodeReader reader, Supplier<String> machineHost, SinkBinder sinks) {
        this.reader = reader;
        this.problems = reader.problems();
        this.machineHost = machineHost;
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
        Optional<ConfigSection> listen = section.flatMap(s -> s.section("listen", LISTEN_KEYS));
        ListenTlsSpec listenTls = listen.flatMap(l -> l.section("tls", LISTEN_TLS_KEYS)).flatMap(this::listenTls)
                .orElse(null);
        Optional<ConfigSection> stdinSection = listen.flatMap(l -> l.section("stdinserver", LISTEN_STDIN_KEYS));
        ListenStdinSpec listenStdin = stdinSection.flatMap(this::listenStdin).orElse(null);
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

    /**
     * After the jobs are read: a listener must serve someone (the sink's clients, the sinks that pull a job, the
     * sources of reverse pulls), and every identity a job expects on a listener must be one the listener maps.
     */
    void crossCheckListeners(ConfigSection top, GlobalSpec global, ListenerIdentities expected) {
        List<ListenerIdentities.Use> listenerIdentities = expected.uses();
        Set<String> listened = new HashSet<>();
        if (global.listenTls() != null) {
            listened.addAll(global.listenTls().clients().values());
        }
        if (global.listenStdin() != null) {
            listened.addAll(global.listenStdin().clients());
        }
        for (ListenerIdentities.Use use : listenerIdentities) {
            if (!listened.contains(use.identity())) {
                problems.at(use.where(), use.path(), "unknown identity '" + use.identity() + "': " + use.role()
                        + " must reach this machine's listener, but no certificate in global.listen.tls.clients maps"
                        + " to it and global.listen.stdinserver.clients does not list it");
            }
        }
        boolean listening = global.listenTls() != null || global.listenStdin() != null;
        if (listening && global.sink() == null && global.mirror() == null && listenerIdentities.isEmpty()) {
            ConfigSection g = top.section("global", GLOBAL_KEYS).orElseThrow();
            problems.at(g.mapping(), "global.sink", "global.listen is set but nothing uses it: set global.sink (a"
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
            ConfigSection g = top.section("global", GLOBAL_KEYS).orElseThrow();
            ConfigSection stdin = g.section("listen", LISTEN_KEYS).orElseThrow()
                    .section("stdinserver", LISTEN_STDIN_KEYS).orElseThrow();
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

    private Optional<ListenStdinSpec> listenStdin(ConfigSection stdin) {
        int before = problems.size();
        List<String> clients = stdin.requiredList("clients", Conversion.identity(), "a list of client identities");
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

    private Optional<ListenTlsSpec> listenTls(ConfigSection tls) {
        int before = problems.size();
        Optional<HostPort> address = tls.required("address", HostPort.address(0));
        Optional<Path> ca = tls.required("ca", reader.path());
        Optional<Path> cert = tls.required("cert", reader.path());
        Optional<Path> key = tls.required("key", reader.path());
        Map<String, String> clients = new TreeMap<>();
        Optional<ConfigSection> clientSection = tls.section("clients", null);
        if (clientSection.isEmpty() && tls.present("clients").isEmpty()) {
            tls.missing("clients", "a mapping from client certificate names to identities");
        }
        clientSection.ifPresent(c -> {
            if (c.mapping().entries().isEmpty()) {
                problems.at(c.mapping(), c.path(), "no client certificate is listed");
            }
            for (YamlNode.Entry entry : c.mapping().entries().values()) {
                reader.scalar(entry.value(), c.path(entry.key()), Conversion.identity())
                        .ifPresent(id -> clients.put(entry.key(), id));
            }
        });
        if (problems.size() != before || address.isEmpty() || ca.isEmpty() || cert.isEmpty() || key.isEmpty()
                || clients.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ListenTlsSpec(address.get().host(), address.get().port(), ca.get(), cert.get(),
                key.get(), clients));
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
