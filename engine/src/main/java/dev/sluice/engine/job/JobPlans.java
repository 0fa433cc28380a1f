package dev.sluice.engine.job;

import dev.sluice.engine.backup.BackupRequest;
import dev.sluice.engine.backup.ErrorPolicy;
import dev.sluice.engine.chunk.ChunkerParams;
import dev.sluice.engine.config.HookSpec;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.JobType;
import dev.sluice.engine.config.LocalRepositorySpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.config.PullRepositorySpec;
import dev.sluice.engine.config.ReversePullRepositorySpec;
import dev.sluice.engine.config.SinkRepositorySpec;
import dev.sluice.engine.config.JobType;
import dev.sluice.transport.Link;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.hook.HookDefinition;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.OnError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a configured job into the plan of one run: scan rules, chunking, compression, hooks,
 * and where the repository is (local, or a sink over TLS). The CLI and the daemon both run
 * jobs through here, so a job means the same thing however it is started.
 */
public final class JobPlans {
    private JobPlans() {}

    /**
     * The plan of one run of {@code job}.
     *
     * @param host the source identity to file the snapshot under
     * @param keyFile used when the job names neither a key file nor a password file
     * @param passwordFile likewise
     * @throws IllegalArgumentException naming the job, when a hook or the sink cannot be used
     */
    public static BackupJob.Plan plan(JobSpec job, SluiceConfig config, String host, boolean useParent,
            ErrorPolicy errorPolicy, Path keyFile, Path passwordFile) {
        if (job.repository() instanceof PullRepositorySpec || job.repository() instanceof ReversePullRepositorySpec) {
            throw new IllegalArgumentException("job " + job.name() + " is pulled by its sink ("
                    + job.repository().describe() + "); it runs when the sink asks for it");
        }
        return plan(job, config, host, useParent, errorPolicy, keyFile, passwordFile, null);
    }

    /**
     * The plan of one run of a pulled job (repository {@code pull} or {@code reverse_pull}) over {@code link}, the
     * link its sink sent PULL on.
     */
    public static BackupJob.Plan planPulled(JobSpec job, SluiceConfig config, String host, ErrorPolicy errorPolicy,
            Path keyFile, Path passwordFile, Link link) {
        if (!(job.repository() instanceof PullRepositorySpec || job.repository() instanceof ReversePullRepositorySpec)) {
            throw new IllegalArgumentException("job " + job.name() + " is not a pulled job");
        }
        return plan(job, config, host, true, errorPolicy, keyFile, passwordFile, link);
    }

    private static BackupJob.Plan plan(JobSpec job, SluiceConfig config, String host, boolean useParent,
            ErrorPolicy errorPolicy, Path keyFile, Path passwordFile, Link pulledOver) {
        if (job.type() == JobType.PULL) {
            throw new IllegalArgumentException("job " + job.name() + " is a pull job; it runs at the sink with"
                    + " PullJob, not as a backup of local paths");
        }
        if (job.type() == JobType.MIRROR) {
            throw new IllegalArgumentException("job " + job.name() + " is a mirror job; run it with sluice mirror");
        }
        if (job.keyFile() != null || job.passwordFile() != null) {
            keyFile = job.keyFile();
            passwordFile = job.passwordFile();
        }
        ScanRules rules = ScanRules.of(job.include(), job.exclude(), job.oneFileSystem(), job.excludeCaches());
        ChunkerParams chunking = new ChunkerParams((int) job.chunker().min(), (int) job.chunker().avg(),
                (int) job.chunker().max());
        BackupRequest request = new BackupRequest(job.name(), host, job.paths(), rules, useParent, errorPolicy);
        List<HookDefinition> hooks = hooks(job);
        Path workingDirectory = config.file().toAbsolutePath().getParent();
        if (job.repository() instanceof SinkRepositorySpec || pulledOver != null) {
            SinkTarget sink;
            try {
                sink = pulledOver != null
                        ? new SinkTarget(Connector.accepted(pulledOver, "sink " + pulledOver.peer().name()), keyFile)
                        : SinkTarget.of(((SinkRepositorySpec) job.repository()).connect(), keyFile);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("job " + job.name() + ": " + e.getMessage(), e);
            }
            return new BackupJob.Plan(request, null, chunking, job.compression().algorithm(),
                    job.compression().level(), hooks, workingDirectory, sink);
        }
        LocalRepositorySpec local = (LocalRepositorySpec) job.repository();
        return new BackupJob.Plan(request, new RepositoryTarget(local.path(), keyFile, passwordFile), chunking,
                job.compression().algorithm(), job.compression().level(), hooks, workingDirectory);
    }

    static List<HookDefinition> hooks(JobSpec job) {
        List<HookDefinition> out = new ArrayList<>();
        for (HookSpec h : job.hooks()) {
            try {
                out.add(new HookDefinition(HookPoint.of(h.point()), h.path().toAbsolutePath(), h.args(), h.timeout(),
                        OnError.valueOf(h.onError().name()), h.async()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("job " + job.name() + ": hook " + h.path() + ": "
                        + e.getMessage(), e);
            }
        }
        return out;
    }
}
