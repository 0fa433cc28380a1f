package dev.sluice.hook;

import java.util.List;
import java.util.Objects;

/**
 * What one hook run receives besides the job context: the point's own arguments (placed before the
 * configured ones) and, for points that feed it, the bytes on stdin.
 *
 * @param pointArgs the point's arguments, e.g. the status for post points; single lines without NUL
 * @param status    the status passed as {@code SLUICE_STATUS}, or null for points without one
 * @param stdin     the bytes written to the hook's stdin, or null for stdin at end of file ({@code /dev/null})
 */
public record HookInput(List<String> pointArgs, Integer status, byte[] stdin) {

    public HookInput {
        pointArgs = List.copyOf(Objects.requireNonNull(pointArgs, "pointArgs"));
        for (int i = 0; i < pointArgs.size(); i++) {
            HookContext.requireSingleLine("point argument " + (i + 1), pointArgs.get(i));
        }
        if (status != null && (status < 0 || status > 255)) {
            throw new IllegalArgumentException("hook status " + status + " is outside 0..255");
        }
        stdin = stdin == null ? null : stdin.clone();
    }

    /** No point arguments, no status, stdin at end of file. */
    public static HookInput none() {
        return new HookInput(List.of(), null, null);
    }

    /** The status as the only point argument and as {@code SLUICE_STATUS}; stdin as given (may be null). */
    public static HookInput status(int status, byte[] stdin) {
        return new HookInput(List.of(Integer.toString(status)), status, stdin);
    }

    @Override
    public byte[] stdin() {
        return stdin == null ? null : stdin.clone();
    }
}
