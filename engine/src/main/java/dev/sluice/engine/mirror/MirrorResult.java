package dev.sluice.engine.mirror;

import dev.sluice.engine.mirror.dest.MirrorTargetStats;
import java.util.List;

/**
 * What one mirror run did, seen from the sender.
 *
 * @param entries       entries sent (directories, files, links, specials)
 * @param filesWritten  regular files the receiver rebuilt from a delta
 * @param filesKept     regular files whose receiver copy was equal (size and mtime) and kept
 * @param filesDropped  files the sender could not read after announcing them (nothing committed)
 * @param literalBytes  file bytes sent as DATA
 * @param copiedBytes   file bytes the receiver copied from its basis (COPY)
 * @param bytesSent     everything the sender put on the link (payloads and 6-byte frame headers)
 * @param bytesReceived everything the receiver sent back (basis lists, answers)
 * @param problems      entries the scan could not read (skipped), with their messages; at most 100 kept
 * @param problemCount  how many entries were skipped
 * @param receiver      what the receiver's target reports
 */
public record MirrorResult(long entries, long filesWritten, long filesKept, long filesDropped, long literalBytes,
        long copiedBytes, long bytesSent, long bytesReceived, List<String> problems, long problemCount,
        MirrorTargetStats receiver) {

    public MirrorResult {
        problems = List.copyOf(problems);
    }
}
