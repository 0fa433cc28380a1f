package dev.sluice.hook;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The outcome of one hook run, as it goes into the job summary and the metrics.
 *
 * @param point              the point it ran at
 * @param executable         the program
 * @param exitCode           the exit status (128+signal when killed by a signal), or -1 when it never started
 * @param duration           wall time from start to the end of its output
 * @param status             what the run amounted to
 * @param excludes           exclude patterns a {@code transfer.pre} hook printed (empty otherwise)
 * @param replacementStatus  the status a {@code transfer.post} hook printed, if any
 * @param error              a sentence naming the hook and what went wrong; empty when {@link Status#OK}
 */
public record HookResult(HookPoint point, Path executable, int exitCode, Duration duration, Status status,
                         List<String> excludes, OptionalInt replacementStatus, Optional<String> error) {

    /** What a hook run amounted to. */
    public enum Status {
        /** Exit status 0 and, where the point has a stdout contract, well-formed output. */
        OK,
        /** Non-zero exit status, or the program could not be started. */
        FAILED,
        /** Ran past its timeout; its process tree was ended. */
        TIMED_OUT,
        /** Exit status 0 but output that breaks the point's stdout contract. */
        CONTRACT_ERROR
    }

    public HookResult {
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(executable, "executable");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(status, "status");
        excludes = List.copyOf(Objects.requireNonNull(excludes, "excludes"));
        Objects.requireNonNull(replacementStatus, "replacementStatus");
        Objects.requireNonNull(error, "error");
        if ((status == Status.OK) != error.isEmpty()) {
            throw new IllegalArgumentException("hook result for " + executable + " at " + point
                    + ": an error message must be present exactly when the status is not OK");
        }
    }

    /** True when the run succeeded. */
    public boolean ok() {
        return status == Status.OK;
    }
}
