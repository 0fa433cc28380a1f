package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Binds the {@code tls} and {@code ssh} blocks that say how this machine reaches another one (a sink, a pull
 * source, a reverse pull's sink, a mirror receiver or sender) onto {@link ConnectSpec}s.
 */
final class ConnectBinder {

    /** The keys of a mapping that holds nothing but the way to connect. */
    static final List<String> CONNECT_KEYS = List.of("tls", "ssh");
    private static final List<String> TLS_CONNECT_KEYS = List.of("address", "server_name", "ca", "cert", "key");
    private static final List<String> SSH_CONNECT_KEYS = List.of("address", "user", "identity_file", "options",
            "identity", "peer");
    /** A mirror's tls block may also switch off the check of the peer's certificate. */
    private static final List<String> MIRROR_TLS_KEYS = List.of("address", "server_name", "ca", "cert", "key",
            "insecure_skip_verify");

    private final NodeReader reader;
    private final Problems problems;

    ConnectBinder(NodeReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    /**
     * A connect spec from a mapping holding {@code tls} or {@code ssh} (and, unless {@code only}, other keys the
     * caller reads); exactly one of them must be set.
     */
    Optional<ConnectSpec> connect(ConfigSection holder, boolean only) {
        boolean tls = holder.present("tls").isPresent();
        boolean ssh = holder.present("ssh").isPresent();
        if (tls && ssh) {
            YamlNode.Entry second = holder.present("ssh").orElseThrow();
            problems.add(second.line(), second.column(), holder.path("ssh"), "set either tls or ssh, not both");
            return Optional.empty();
        }
        if (!tls && !ssh) {
            if (only) {
                problems.at(holder.mapping(), holder.path(), "missing the way to connect: set tls or ssh");
            }
            return Optional.empty();
        }
        return tls ? holder.section("tls", TLS_CONNECT_KEYS).flatMap(t -> tls(t, false))
                : ssh(holder);
    }

    /** The {@code tls} block of a mirror job, where {@code insecure_skip_verify} is allowed. */
    Optional<ConnectSpec> mirrorTls(ConfigSection holder) {
        return holder.section("tls", MIRROR_TLS_KEYS).flatMap(t -> tls(t, true));
    }

    /** The {@code ssh} block of {@code holder}. */
    Optional<ConnectSpec> ssh(ConfigSection holder) {
        return holder.section("ssh", SSH_CONNECT_KEYS).flatMap(this::sshBlock);
    }

    /** @param mirror a mirror job's block, where {@code insecure_skip_verify} is allowed */
    private Optional<ConnectSpec> tls(ConfigSection tls, boolean mirror) {
        int before = problems.size();
        boolean insecure = mirror && tls.optional("insecure_skip_verify", Conversion.bool()).orElse(false);
        Optional<HostPort> address = tls.required("address", HostPort.address(1));
        Optional<String> serverName = tls.required("server_name", Conversion.identity());
        Optional<Path> ca = tls.required("ca", reader.path());
        Optional<Path> cert = tls.required("cert", reader.path());
        Optional<Path> key = tls.required("key", reader.path());
        if (problems.size() != before || address.isEmpty() || serverName.isEmpty() || ca.isEmpty() || cert.isEmpty()
                || key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TlsConnectSpec(address.get().host(), address.get().port(), serverName.get(),
                ca.get(), cert.get(), key.get(), insecure));
    }

    private Optional<ConnectSpec> sshBlock(ConfigSection ssh) {
        int before = problems.size();
        Optional<HostPort> address = ssh.required("address", new Conversion<>("an address like HOST:22", value -> {
            String withPort = value.matches(".*:[0-9]{1,5}") && !value.endsWith("]") ? value : value + ":22";
            return HostPort.address(1).parse().apply(withPort);
        }));
        Optional<String> user = ssh.required("user", new Conversion<>("a user name", value -> {
            if (!value.matches("[A-Za-z0-9_][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("invalid ssh user '" + value + "'; expected letters, digits, '.',"
                        + " '-' and '_', not starting with '-'");
            }
            return value;
        }));
        Optional<Path> identityFile = ssh.required("identity_file", reader.path());
        List<String> options = ssh.list("options", new Conversion<>("an ssh option Key=value", value -> {
            if (!value.matches("[A-Za-z][A-Za-z0-9]*=[^\\n\\r]*")) {
                throw new IllegalArgumentException("invalid ssh option '" + value + "'; expected Key=value like"
                        + " StrictHostKeyChecking=yes");
            }
            return value;
        }), "a list of ssh options");
        Optional<String> self = ssh.required("identity", Conversion.identity());
        Optional<String> peer = ssh.required("peer", Conversion.identity());
        if (problems.size() != before || address.isEmpty() || user.isEmpty() || identityFile.isEmpty()
                || self.isEmpty() || peer.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SshConnectSpec(address.get().host(), address.get().port(), user.get(),
                identityFile.get(), options, self.get(), peer.get()));
    }
}
