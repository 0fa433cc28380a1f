package dev.sluice.engine.job;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The threads a run uses: a bounded elastic scheduler for blocking file I/O and a parallel
 * scheduler for CPU work. Created once per process (or per test) and disposed with it.
 */
public record Workers(Scheduler io, Scheduler cpu, int cpus) implements AutoCloseable {

    /** Workers sized for this machine: one CPU thread per core, I/O threads for reading and writing. */
    public static Workers forMachine() {
        int cpus = Math.max(1, Runtime.getRuntime().availableProcessors());
        return new Workers(
                Schedulers.newBoundedElastic(Math.max(4, cpus * 2), 1024, "sluice-io", 60, true),
                Schedulers.newParallel("sluice-cpu", cpus, true),
                cpus);
    }

    @Override
    public void close() {
        io.dispose();
        cpu.dispose();
    }
}
