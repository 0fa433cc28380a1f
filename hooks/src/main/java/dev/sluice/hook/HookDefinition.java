package dev.sluice.hook;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One configured hook of a job: which executable runs at which point, with which fixed arguments,
 * for how long at most, and what its failure means.
 *
 * @param point      the point it runs at
 * @param executable absolute path of the program, run directly (never through a shell)
 * @param args       fixed arguments from the configuration, passed after the point's own arguments
 * @param timeout    how long it may run before its whole process tree is ended; positive
 * @param onError    what a failure does to the job; ignored for async hooks
 * @param async      fire-and-forget: the job does not wait for it, its result is only logged
 */
public record HookDefinition(HookPoint point, Path executable, List<String> args, Duration timeout,
                             OnError onError, boolean async) {

    public HookDefinition {
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(executable, "executable");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(onError, "onError");
        args = List.copyOf(Objects.requireNonNull(args, "args"));
        if (!executable.isAbsolute()) {
            throw new IllegalArgumentException("hook at " + point + ": executable " + executable
                    + " is not an absolute path; hooks are run directly, without PATH lookup or a shell");
        }
        HookContext.requireSingleLine("executable of hook at " + point, executable.toString());
        for (int i = 0; i < args.size(); i++) {
            HookContext.requireSingleLine("argument " + (i + 1) + " of hook " + executable + " at " + point, args.get(i));
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("hook " + executable + " at " + point + ": timeout " + timeout
                    + " is not positive");
        }
    }

    /** A synchronous hook that aborts on failure. */
    public static HookDefinition of(HookPoint point, Path executable, Duration timeout, String... args) {
        return new HookDefinition(point, executable, List.of(args), timeout, OnError.ABORT, false);
    }

    public HookDefinition withOnError(OnError value) {
        return new HookDefinition(point, executable, args, timeout, value, async);
    }

    public HookDefinition withAsync(boolean value) {
        return new HookDefinition(point, executable, args, timeout, onError, value);
    }

    /** How logs, errors and metrics name this hook: {@code snapshot.pre /etc/sluice/pg-dump}. */
    public String displayName() {
        return point.id() + " " + executable;
    }
}
