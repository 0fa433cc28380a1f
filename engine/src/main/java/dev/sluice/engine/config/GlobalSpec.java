package dev.sluice.engine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings that apply to the whole daemon rather than to one job.
 *
 * @param runtimeDir directory for sockets and locks; must be private to sluice; default {@code /run/sluice}
 * @param logLevel one of {@code error warn info debug}; default {@code info}
 * @param host the name this machine uses as a source identity in snapshots; default the machine's hostname
 * @param metrics where the daemon serves Prometheus metrics, {@code HOST:PORT}, or {@code off}; default
 *     {@code 127.0.0.1:9811}
 * @param shutdownGrace how long the daemon lets running jobs finish after SIGTERM before cancelling them; default
 *     {@code 1m}
 * @param listenTls the sink's mutual-TLS listener, or {@code null} when this machine takes no pushes over TLS
 * @param listenStdin the sink's stdinserver sockets, or {@code null} when this machine takes no pushes over ssh
 * @param sink what this machine keeps as a sink, or {@code null}; needs a listener. A listener without a sink serves
 *     sinks that pull this machine's jobs, or sources that park links for reverse pulls
 * @param mirror the mirror targets this machine receives into, or {@code null}; needs a listener
 */
public record GlobalSpec(Path runtimeDir, String logLevel, String host, String metrics, Duration shutdownGrace,
        ListenTlsSpec listenTls, ListenStdinSpec listenStdin, SinkSpec sink, MirrorReceiverSpec mirror) {

    /** The runtime directory used when the file does not set one. */
    public static final Path DEFAULT_RUNTIME_DIR = Path.of("/run/sluice");
    /** The log level used when the file does not set one. */
    public static final String DEFAULT_LOG_LEVEL = "info";
    /** The accepted log levels, from least to most verbose. */
    public static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug");

    /** The metrics address used when the file does not set one: loopback only. */
    public static final String DEFAULT_METRICS = "127.0.0.1:9811";
    /** The shutdown grace period used when the file does not set one. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofMinutes(1);
    /** {@code HOST:PORT} (an IPv6 host in brackets) or {@code off}. */
    static final Pattern METRICS = Pattern.compile("off|(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9.-]*):([0-9]{1,5})");

    /** {@code HOST:PORT} with an IPv6 host in brackets. */
    static final Pattern ADDRESS = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9.-]*):([0-9]{1,5})");

    /** Letters, digits, dot, dash and underscore; up to 253 characters like a DNS name. */
    static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

    /** Settings with the daemon defaults for metrics and shutdown. */
    public GlobalSpec(Path runtimeDir, String logLevel, String host) {
        this(runtimeDir, logLevel, host, DEFAULT_METRICS, DEFAULT_SHUTDOWN_GRACE);
    }

    /** Settings of a machine that is not a sink. */
    public GlobalSpec(Path runtimeDir, String logLevel, String host, String metrics, Duration shutdownGrace) {
        this(runtimeDir, logLevel, host, metrics, shutdownGrace, null, null, null, null);
    }

    /** Settings of a sink (or a machine that is not one) that receives no mirrors. */
    public GlobalSpec(Path runtimeDir, String logLevel, String host, String metrics, Duration shutdownGrace,
            ListenTlsSpec listenTls, ListenStdinSpec listenStdin, SinkSpec sink) {
        this(runtimeDir, logLevel, host, metrics, shutdownGrace, listenTls, listenStdin, sink, null);
    }

    /** Settings of a sink that listens only over mutual TLS. */
    public GlobalSpec(Path runtimeDir, String logLevel, String host, String metrics, Duration shutdownGrace,
            ListenTlsSpec listenTls, SinkSpec sink) {
        this(runtimeDir, logLevel, host, metrics, shutdownGrace, listenTls, null, sink);
    }

    public GlobalSpec {
        if (listenTls == null && listenStdin == null && (sink != null || mirror != null)) {
            throw new IllegalArgumentException("global.sink and global.mirror need a listener (global.listen.tls or"
                    + " stdinserver)");
        }
        Objects.requireNonNull(runtimeDir, "runtimeDir");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        String metricsProblem = metricsProblem(metrics);
        if (metricsProblem != null) {
            throw new IllegalArgumentException(metricsProblem);
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdown_grace must not be negative");
        }
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(host, "host");
        if (!LOG_LEVELS.contains(logLevel)) {
            throw new IllegalArgumentException("unknown log level '" + logLevel + "'; expected one of "
                    + String.join(", ", LOG_LEVELS));
        }
        if (!HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException(hostProblem(host));
        }
    }

    /** Why a metrics address is not usable, or null when it is. */
    static String metricsProblem(String metrics) {
        var m = METRICS.matcher(metrics);
        if (!m.matches() || !metrics.equals("off") && Integer.parseInt(m.group(2)) > 65535) {
            return "invalid metrics address '" + metrics + "'; expected HOST:PORT like 127.0.0.1:9811 (port 0 to"
                    + " 65535; 0 picks a free port) or off";
        }
        return null;
    }

    static String hostProblem(String host) {
        return "invalid host name '" + host + "'; expected letters, digits, '.', '-' and '_' (at most 253"
                + " characters, starting with a letter or digit), for example web-1.example.org";
    }
}
