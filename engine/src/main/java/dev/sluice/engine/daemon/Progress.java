package dev.sluice.engine.daemon;

/**
 * A job run's counters at one moment, as status and metrics show them.
 *
 * @param files files seen so far (new, changed and unchanged)
 * @param bytesRead file content read
 * @param bytesAdded bytes added to the repository (after dedup, compression and sealing)
 * @param bytesSent bytes handed to the sink; equal to bytesAdded for a local repository
 * @param problems files that could not be read
 */
public record Progress(long files, long bytesRead, long bytesAdded, long bytesSent, long problems) {
    public static final Progress NONE = new Progress(0, 0, 0, 0, 0);

    public Progress {
        if (files < 0 || bytesRead < 0 || bytesAdded < 0 || bytesSent < 0 || problems < 0) {
            throw new IllegalArgumentException("progress counters must not be negative");
        }
    }
}
