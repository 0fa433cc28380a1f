package dev.sluice.engine.config;

import java.util.List;

/**
 * The hook point names a job may attach hooks to, in the order they run; the one place the config package
 * lists them (to be replaced by the hooks module's catalog).
 */
final class HookPointNames {

    /** Every valid point, in run order. */
    static final List<String> ALL = List.of(
            "job.start", "snapshot.pre", "transfer.pre", "transfer.post", "snapshot.post", "prune.post", "job.end");

    /** The points that run on a sink, where a pull job's own hooks run (the source runs the others). */
    static final List<String> AT_SINK = List.of("job.start", "prune.post", "job.end");

    private HookPointNames() {}
}
