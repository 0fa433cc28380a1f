package dev.sluice.engine.daemon;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.LocalRepositorySpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * Counts job runs into the {@link Metrics}: runs by status, durations, bytes read / added / sent, files, file
 * errors, last success time, repository size, hook durations, open connections per peer, and the process's
 * heap, resident memory and CPU time. The names are listed in docs/daemon.md.
 */
public final class RunMetrics implements RunListener {
    private final Metrics metrics;
    private final Function<String, JobSpec> jobs;
    private final EventLog log;

    /**
     * @param jobs finds a job's current definition by name (null when it is gone), for its repository
     */
    public RunMetrics(Metrics metrics, Function<String, JobSpec> jobs, EventLog log, Instant startTime) {
        this.metrics = metrics;
        this.jobs = jobs;
        this.log = log;
        metrics.declare("sluice_job_runs_total", Metrics.Type.COUNTER, "Job runs that ended, by exit status.")
                .declare("sluice_job_duration_seconds_total", Metrics.Type.COUNTER, "Time spent in job runs.")
                .declare("sluice_job_last_duration_seconds", Metrics.Type.GAUGE, "Duration of the last run.")
                .declare("sluice_job_files_total", Metrics.Type.COUNTER, "Files seen by job runs.")
                .declare("sluice_job_bytes_read_total", Metrics.Type.COUNTER, "File content bytes read.")
                .declare("sluice_job_bytes_added_total", Metrics.Type.COUNTER,
                        "Bytes added to the repository (after dedup, compression and sealing).")
                .declare("sluice_job_bytes_sent_total", Metrics.Type.COUNTER,
                        "Bytes handed to the sink (equal to bytes added for a local repository).")
                .declare("sluice_job_file_errors_total", Metrics.Type.COUNTER, "Files that could not be read.")
                .declare("sluice_job_failures_total", Metrics.Type.COUNTER,
                        "Runs that ended without a snapshot or with status other than 0 and 3.")
                .declare("sluice_job_last_success_timestamp_seconds", Metrics.Type.GAUGE,
                        "End of the last run with status 0 or 3, seconds since the epoch.")
                .declare("sluice_job_running", Metrics.Type.GAUGE, "1 while the job runs.")
                .declare("sluice_repository_size_bytes", Metrics.Type.GAUGE,
                        "Bytes on disk in the job's repository, measured after each run.")
                .declare("sluice_hook_duration_seconds_total", Metrics.Type.COUNTER, "Time spent in hooks.")
                .declare("sluice_hook_runs_total", Metrics.Type.COUNTER, "Hook runs, by point and result.")
                .declare("sluice_connections_open", Metrics.Type.GAUGE, "Open transport connections per peer.")
                .declare("sluice_daemon_start_time_seconds", Metrics.Type.GAUGE, "When the daemon started.");
        metrics.set("sluice_daemon_start_time_seconds", startTime.getEpochSecond());
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        metrics.sampled("sluice_jvm_heap_used_bytes", "Java heap in use.",
                        s -> s.put("", (double) memory.getHeapMemoryUsage().getUsed()))
                .sampled("sluice_process_resident_memory_bytes", "Resident set size of the daemon process.",
                        s -> s.put("", (double) residentBytes()))
                .sampled("sluice_process_cpu_seconds_total", "CPU time used by the daemon process.",
                        s -> s.put("", cpuSeconds()));
    }

    @Override
    public void started(String job, String trigger, Instant at) {
        metrics.set("sluice_job_running", 1, "job", job);
    }

    @Override
    public void finished(String job, Instant started, Instant ended, RunReport r) {
        double seconds = Duration.between(started, ended).toNanos() / 1e9;
        metrics.set("sluice_job_running", 0, "job", job);
        metrics.add("sluice_job_runs_total", 1, "job", job, "status", Integer.toString(r.status()));
        metrics.add("sluice_job_duration_seconds_total", seconds, "job", job);
        metrics.set("sluice_job_last_duration_seconds", seconds, "job", job);
        metrics.add("sluice_job_files_total", r.progress().files(), "job", job);
        metrics.add("sluice_job_bytes_read_total", r.progress().bytesRead(), "job", job);
        metrics.add("sluice_job_bytes_added_total", r.progress().bytesAdded(), "job", job);
        metrics.add("sluice_job_bytes_sent_total", r.progress().bytesSent(), "job", job);
        metrics.add("sluice_job_file_errors_total", r.progress().problems(), "job", job);
        boolean success = r.snapshot() != null && (r.status() == 0 || r.status() == 3);
        if (success) {
            metrics.set("sluice_job_last_success_timestamp_seconds", ended.toEpochMilli() / 1000.0, "job", job);
        } else {
            metrics.add("sluice_job_failures_total", 1, "job", job);
        }
        for (RunReport.HookTime h : r.hooks()) {
            metrics.add("sluice_hook_duration_seconds_total", h.duration().toNanos() / 1e9, "job", job,
                    "point", h.point());
            metrics.add("sluice_hook_runs_total", 1, "job", job, "point", h.point(), "result", h.ok() ? "ok" : "failed");
        }
        JobSpec spec = jobs.apply(job);
        if (spec != null && spec.repository() instanceof LocalRepositorySpec local) {
            try {
                metrics.set("sluice_repository_size_bytes", RepositoryFacts.size(local.path()), "job", job);
            } catch (IOException e) {
                log.warn("metrics.repository_size", "job", job, "repository", local.path(), "error", e.getMessage());
            }
        }
    }

    /** A transport connection from or to {@code peer} opened (for the listeners of issue 4). */
    public void connectionOpened(String peer) {
        metrics.add("sluice_connections_open", 1, "peer", peer);
    }

    /** A transport connection from or to {@code peer} closed. */
    public void connectionClosed(String peer) {
        metrics.add("sluice_connections_open", -1, "peer", peer);
    }

    /** Forgets a job's series after a reload removed it. */
    public void forget(String job) {
        metrics.forget("job", job);
    }

    /** VmRSS from /proc/self/status, in bytes; 0 where there is no /proc. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private static double cpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return 0;
    }
}
