package dev.sluice.engine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One program a job runs at a named hook point.
 *
 * @param point the hook point, e.g. {@code snapshot.pre}
 * @param path the executable, resolved against the config file's directory (no PATH lookup)
 * @param args arguments passed after the point's own arguments; default none
 * @param timeout how long the hook may run before its process tree is killed; positive; default 5m
 * @param onError what a failure (non-zero exit, timeout) does to the job; default {@link OnError#ABORT}
 * @param async whether the job goes on without waiting for the hook; default false
 */
public record HookSpec(String point, Path path, List<String> args, Duration timeout, OnError onError, boolean async) {

    /** The timeout used when the file does not set one. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    /** What a failing hook does to its job; written {@code abort} or {@code warn} in the file. */
    public enum OnError {
        /** The job fails. */
        ABORT,
        /** The failure is logged and the job goes on. */
        WARN
    }

    public HookSpec {
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(onError, "onError");
        args = List.copyOf(args);
        if (!HookPointNames.ALL.contains(point)) {
            throw new IllegalArgumentException("unknown hook point '" + point + "'; expected one of "
                    + String.join(", ", HookPointNames.ALL));
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("hook timeout must be positive, got " + timeout);
        }
    }

    /** The hook points a hook may name, in the order they run. */
    public static List<String> points() {
        return HookPointNames.ALL;
    }
}
