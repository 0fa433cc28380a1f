package dev.sluice.engine.daemon;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Runs one job once, blocking the calling thread, and reports how it ended; never throws for a failed job. */
public interface JobRunner {

    /**
     * @param progress receives, once the run starts its transfer, a supplier of live counters
     * @param cancellation cancelled when the run must stop (it then writes no snapshot)
     */
    RunReport run(JobSpec job, SluiceConfig config, Consumer<Supplier<Progress>> progress, Cancellation cancellation);
}
