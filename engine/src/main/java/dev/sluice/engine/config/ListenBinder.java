package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Binds {@code global.listen} (this machine's tls and stdinserver listeners and the identities they map) onto
 * {@link ListenTlsSpec} and {@link ListenStdinSpec}, and checks once the jobs are read that listeners and the
 * identities that use them fit together.
 */
final class ListenBinder {

    private static final List<String> LISTEN_KEYS = List.of("tls", "stdinserver");
    private static final List<String> LISTEN_STDIN_KEYS = List.of("clients");
    private static final List<String> LISTEN_TLS_KEYS = List.of("address", "ca", "cert", "key", "clients");

    private final NodeReader reader;
    private final Problems problems;

    ListenBinder(NodeReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    /** The {@code listen} mapping of the {@code global} section, when there is one. */
    Optional<ConfigSection> listen(ConfigSection global) {
        return global.section("listen", LISTEN_KEYS);
    }

    /** The tls listener, or null when absent or when it has problems (which are recorded). */
    ListenTlsSpec tls(Optional<ConfigSection> listen) {
        return listen.flatMap(l -> l.section("tls", LISTEN_TLS_KEYS)).flatMap(this::listenTls).orElse(null);
    }

    /** The stdinserver listener, or null when absent or when it has problems (which are recorded). */
    ListenStdinSpec stdin(Optional<ConfigSection> listen) {
        return listen.flatMap(l -> l.section("stdinserver", LISTEN_STDIN_KEYS)).flatMap(this::listenStdin)
                .orElse(null);
    }

    /**
     * After the jobs are read: a listener must serve someone (the sink's clients, the sinks that pull a job, the
     * sources of reverse pulls), and every identity a job expects on a listener must be one the listener maps.
     */
    void crossCheck(ConfigSection top, GlobalSpec global, ListenerIdentities expected) {
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
            ConfigSection g = top.section("global", GlobalBinder.GLOBAL_KEYS).orElseThrow();
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
            ConfigSection g = top.section("global", GlobalBinder.GLOBAL_KEYS).orElseThrow();
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
                if (entry.key().isBlank()) {
                    problems.add(entry.line(), entry.column(), c.path(), "empty client certificate name;"
                            + " expected the common name (CN) of a client certificate, mapped to its identity");
                    continue;
                }
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
}
