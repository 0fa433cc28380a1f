package dev.sluice.engine.restore;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of a restore, for progress and the summary. */
public final class RestoreStats {
    final AtomicLong files = new AtomicLong();
    final AtomicLong dirs = new AtomicLong();
    final AtomicLong others = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong problems = new AtomicLong();
    volatile long bytesTotal;

    public long files() { return files.get(); }
    public long dirs() { return dirs.get(); }
    public long others() { return others.get(); }
    public long bytes() { return bytes.get(); }
    public long problems() { return problems.get(); }
    public long bytesTotal() { return bytesTotal; }
}
