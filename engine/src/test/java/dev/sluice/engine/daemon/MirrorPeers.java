package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.MirrorReceiverSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.MirrorJob;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.mirror.MirrorReceiver;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookRunner;
import dev.sluice.transport.tls.CertificateAuthority;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Both ends of a mirror in one test JVM, each with the daemon pieces it needs: a donor (sender) with a source tree
 * and a joiner (receiver), a PKI with certificates for donor, joiner and other, the joiner's parked links, and
 * helpers that load each side's YAML configuration and run its job as the daemon would.
 */
final class MirrorPeers implements AutoCloseable {
    final Path dir;
    final Path src;
    final Path pki;
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final EventLog log = new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), Clock.systemUTC(),
            "debug", false);
    final Clock clock = Clock.systemUTC();
    final Workers workers = Workers.forMachine();
    final Scheduler jobThreads = Schedulers.newBoundedElastic(4, 64, "test-mirror-jobs");
    final Scheduler io = Schedulers.newBoundedElastic(4, 1024, "test-mirror-io");
    final ParkedLinks parked = new ParkedLinks(dev.sluice.engine.protocol.Keepalive.DEFAULT, io);
    final List<String> warnings = new ArrayList<>();

    MirrorPeers(Path dir) throws IOException {
        this.dir = dir;
        Files.setAttribute(dir, "unix:mode", 0755);
        src = Files.createDirectories(dir.resolve("donor/data"));
        TreeFixture.kitchenSink(41).randomFile("big/big.bin", 2 << 20, 42).materialise(src);
        pki = Files.createDirectories(dir.resolve("pki"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        for (String n : new String[] {"donor", "joiner", "other"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        }
    }

    SluiceConfig config(String name, String yaml) throws Exception {
        return ConfigLoader.parse(name, yaml, dir);
    }

    /**
     * The configuration of one side: {@code global.host}, a stdinserver listener for {@code listenFor} (unless
     * null), and one job: the donor's {@code datadir} of the source tree with {@code mirror} (a flow mapping), or,
     * when {@code mirror} starts with {@code {pull:}, a receiver's job {@code copy} writing into {@code directory}.
     */
    SluiceConfig side(String host, String listenFor, String mirror, Path directory) throws Exception {
        String listen = listenFor == null ? "" : "  listen: {stdinserver: {clients: [" + listenFor + "]}}\n";
        String job = mirror.startsWith("{pull:")
                ? "  - name: copy\n    type: mirror\n    mirror: " + mirror.substring(0, mirror.length() - 1)
                        + ", directory: " + directory + "}\n"
                : "  - name: datadir\n    type: mirror\n    paths: [" + src + "]\n    mirror: " + mirror + "\n";
        return config(host + ".yaml", "global:\n  host: " + host + "\n" + listen + "jobs:\n" + job);
    }

    /** A {@code tls:} flow mapping to {@code peer}'s listener at {@code port}, as {@code self}. */
    String tls(int port, String peer, String self) {
        return "{address: '127.0.0.1:" + port + "', server_name: " + peer + ", ca: " + pki.resolve("ca.crt")
                + ", cert: " + pki.resolve(self + ".crt") + ", key: " + pki.resolve(self + ".key") + "}";
    }

    /** The mirror job runner of a side (hooks logged, this fixture's parked links). */
    MirrorJob mirrorJob() {
        return mirrorJob(parked);
    }

    /** The mirror job runner of a side that takes reverse-pull links from {@code parked}. */
    MirrorJob mirrorJob(ParkedLinks parked) {
        HookLog hookLog = BackupJobRunner.hookLog(log);
        return new MirrorJob(io, warnings::add, new HookRunner(io, hookLog), hookLog, parked,
                (d, o) -> MirrorTarget.open(d, o, clock));
    }

    /** Runs {@code job} of {@code config} once as its daemon would, and expects success. */
    MirrorJob.Outcome runOk(SluiceConfig config, String job) {
        MirrorJob.Outcome o = run(config, job, new Cancellation());
        assertEquals(0, o.status(), () -> "mirror job " + job + " failed: " + o.failure() + "\nlog:\n" + log());
        return o;
    }

    MirrorJob.Outcome run(SluiceConfig config, String job, Cancellation cancellation) {
        return mirrorJob().run(MirrorJob.plan(config.job(job).orElseThrow(), dir), cancellation);
    }

    /** The sender's daemon pieces: a dispatcher that serves MIRROR_PULL for the jobs of {@code config}. */
    PulledJobs pulled(SluiceConfig config) {
        return new PulledJobs(() -> config, workers, clock, log, Map.of(), jobThreads, io);
    }

    PeerDispatcher senderDispatcher(SluiceConfig config) {
        return new PeerDispatcher(null, pulled(config),
                new ParkedLinks(dev.sluice.engine.protocol.Keepalive.DEFAULT, io), () -> config, log, io);
    }

    /** The receiver's daemon pieces: parks READY for its pull jobs, receives pushes into {@code global.mirror}. */
    PeerDispatcher receiverDispatcher(SluiceConfig config) {
        MirrorReceiverSpec spec = config.global().mirror();
        MirrorReceiver receiver = spec == null ? null : PeerServices.mirrorReceiver(spec, clock, io);
        return new PeerDispatcher(null, null, parked, () -> config, log, io, receiver);
    }

    String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        parked.closeAll("test over");
        workers.close();
        jobThreads.dispose();
        io.dispose();
    }
}
