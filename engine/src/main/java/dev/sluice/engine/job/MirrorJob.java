package dev.sluice.engine.job;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.JobType;
import dev.sluice.engine.config.MirrorJobSpec;
import dev.sluice.engine.config.MirrorTlsSpec;
import dev.sluice.engine.mirror.LocalMirror;
import dev.sluice.engine.mirror.MirrorRequest;
import dev.sluice.engine.mirror.MirrorResult;
import dev.sluice.engine.mirror.MirrorSender;
import dev.sluice.engine.mirror.TargetFactory;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.tls.TlsClient;
import dev.sluice.transport.tls.TlsClientSpec;
import dev.sluice.transport.tls.TlsEngine;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import reactor.core.scheduler.Scheduler;

/**
 * Runs one {@code type: mirror} job: into a local directory (sender and receiver in this process) or pushed over
 * mutual TLS to a receiver daemon's named target. The CLI ({@code sluice mirror}) and the daemon both run mirror
 * jobs through here.
 */
public final class MirrorJob {
    /** How long connecting to a receiver (TLS and link handshakes) may take. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final Scheduler io;
    private final Clock clock;
    private final Consumer<String> warn;

    /**
     * @param io   where the local receiver's target I/O runs
     * @param warn gets warnings that must be seen on every run (an insecure TLS setting)
     */
    public MirrorJob(Scheduler io, Clock clock, Consumer<String> warn) {
        this.io = Objects.requireNonNull(io, "io");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.warn = Objects.requireNonNull(warn, "warn");
    }

    /** A configured mirror job as a run: what the sender scans and asks for, and where it goes. */
    public record Plan(String job, MirrorRequest request, MirrorJobSpec target) {
        public Plan {
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * The plan of {@code job}, which must be of type mirror.
     *
     * @throws IllegalArgumentException naming the job when it is not a mirror job or its paths cannot be mirrored
     */
    public static Plan plan(JobSpec job) {
        if (job.type() != JobType.MIRROR || !(job.repository() instanceof MirrorJobSpec spec)) {
            throw new IllegalArgumentException("job " + job.name() + " is not a mirror job (type: mirror)");
        }
        try {
            ScanRules rules = ScanRules.of(job.include(), job.exclude(), job.oneFileSystem(), job.excludeCaches());
            String target = spec.target() != null ? spec.target() : job.name();
            MirrorRequest request = new MirrorRequest(job.paths(), rules, target,
                    spec.layout().equals("snapshots") ? MirrorOptions.Layout.SNAPSHOTS : MirrorOptions.Layout.IN_PLACE,
                    spec.delete(), spec.deleteExcluded(), spec.fakeSuper(), spec.keepSnapshots());
            return new Plan(job.name(), request, spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("job " + job.name() + ": " + e.getMessage(), e);
        }
    }

    /** The target factory of a local run: the safe receiver of mirror.dest with this job's clock. */
    public TargetFactory targets() {
        return (dir, options) -> MirrorTarget.open(dir, options, clock);
    }

    /** Runs the plan; blocks until the receiver reports the run complete, or throws naming what failed. */
    public MirrorResult run(Plan plan) throws IOException {
        MirrorJobSpec spec = plan.target();
        if (spec.directory() != null) {
            return new LocalMirror(targets(), MirrorLimits.DEFAULT, io).run(plan.request(), spec.directory());
        }
        MirrorTlsSpec tls = spec.tls();
        if (tls.insecureSkipVerify()) {
            warn.accept("job " + plan.job() + ": mirror.tls.insecure_skip_verify is true: the receiver at "
                    + tls.host() + ":" + tls.port() + " is NOT verified (any certificate is accepted, the name '"
                    + tls.serverName() + "' is not checked); anyone on the path can read and change the data");
        }
        return new MirrorSender().run(connect(tls), plan.request());
    }

    /** The TLS client settings of {@code mirror.tls}. */
    public static TlsClientSpec tlsClient(MirrorTlsSpec tls) {
        return new TlsClientSpec(tls.host(), tls.port(), tls.ca(), tls.cert(), tls.key(), tls.serverName(),
                LinkSpec.DEFAULT, TlsEngine.preferred(), tls.insecureSkipVerify());
    }

    private static Link connect(MirrorTlsSpec tls) throws IOException {
        String where = "mirror receiver tls " + tls.host() + ":" + tls.port();
        Link link;
        try {
            link = TlsClient.connect(tlsClient(tls)).block(CONNECT_TIMEOUT);
        } catch (RuntimeException e) {
            throw new IOException("cannot reach " + where + ": " + e.getMessage(), e);
        }
        if (link == null) {
            throw new IOException("cannot reach " + where + ": the connection did not complete");
        }
        return link;
    }
}
