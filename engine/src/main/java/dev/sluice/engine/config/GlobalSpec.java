package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings that apply to the whole daemon rather than to one job.
 *
 * @param runtimeDir directory for sockets and locks; must be private to sluice; default {@code /run/sluice}
 * @param logLevel one of {@code error warn info debug}; default {@code info}
 * @param host the name this machine uses as a source identity in snapshots; default the machine's hostname
 */
public record GlobalSpec(Path runtimeDir, String logLevel, String host) {

    /** The runtime directory used when the file does not set one. */
    public static final Path DEFAULT_RUNTIME_DIR = Path.of("/run/sluice");
    /** The log level used when the file does not set one. */
    public static final String DEFAULT_LOG_LEVEL = "info";
    /** The accepted log levels, from least to most verbose. */
    public static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug");

    /** Letters, digits, dot, dash and underscore; up to 253 characters like a DNS name. */
    static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

    public GlobalSpec {
        Objects.requireNonNull(runtimeDir, "runtimeDir");
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

    static String hostProblem(String host) {
        return "invalid host name '" + host + "'; expected letters, digits, '.', '-' and '_' (at most 253"
                + " characters, starting with a letter or digit), for example web-1.example.org";
    }
}
