package dev.sluice.hook;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds that keep a chatty, binary or stubborn hook from exhausting memory or the log.
 *
 * @param maxLineBytes     longer lines are cut to this many bytes and marked as cut
 * @param maxLoggedLines   per stream, lines logged before one "output truncated" line; the rest is drained and dropped
 * @param maxLoggedBytes   per stream, bytes logged before the same cut-off
 * @param maxCaptureBytes  stdout bytes kept for a point's contract; more is a contract error
 * @param killGrace        time between SIGTERM and SIGKILL when ending a process tree
 */
public record HookLimits(int maxLineBytes, int maxLoggedLines, long maxLoggedBytes, int maxCaptureBytes,
                         Duration killGrace) {

    public HookLimits {
        Objects.requireNonNull(killGrace, "killGrace");
        if (maxLineBytes < 16 || maxLoggedLines < 1 || maxLoggedBytes < maxLineBytes || maxCaptureBytes < 1
                || killGrace.isNegative()) {
            throw new IllegalArgumentException("hook limits out of range: line " + maxLineBytes + " B, "
                    + maxLoggedLines + " lines, " + maxLoggedBytes + " B logged, " + maxCaptureBytes
                    + " B captured, grace " + killGrace);
        }
    }

    /** 4 KiB lines, 1000 lines or 1 MiB logged per stream, 1 MiB captured, 2 s grace. */
    public static HookLimits defaults() {
        return new HookLimits(4096, 1000, 1 << 20, 1 << 20, Duration.ofSeconds(2));
    }

    public HookLimits withKillGrace(Duration grace) {
        return new HookLimits(maxLineBytes, maxLoggedLines, maxLoggedBytes, maxCaptureBytes, grace);
    }
}
