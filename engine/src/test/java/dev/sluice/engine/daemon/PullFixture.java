package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.sluice.engine.cli.LocalRepo;
import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.engine.config.PullSourceSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.job.PullJob;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.retention.SnapshotRateLimit;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
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
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Both ends of a pull in one test JVM: a source tree with a job "home" and the repository key at the source, a
 * key-less sink repository, the daemon pieces of each side (dispatchers, pulled jobs, parked links) and a PKI.
 */
final class PullFixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);

    final Path dir;
    final Path src;
    final LocalRepo repo;
    final Path pki;
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final EventLog log = new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), Clock.systemUTC(),
            "debug", false);
    final Clock clock = Clock.systemUTC();
    final Workers workers = Workers.forMachine();
    final Scheduler jobThreads = Schedulers.newBoundedElastic(4, 64, "test-pull-jobs");
    final Scheduler io = Schedulers.newBoundedElastic(4, 1024, "test-sink-io");
    final ParkedLinks parked = new ParkedLinks(dev.sluice.engine.protocol.Keepalive.DEFAULT, io);

    PullFixture(Path dir) throws IOException {
        this.dir = dir;
        src = Files.createDirectories(dir.resolve("source/data"));
        TreeFixture.create()
                .file("a.txt", "pulled, not pushed\n")
                .dir("sub/deeper")
                .randomFile("sub/big.bin", 300 * 1024, 7)
                .file("sub/deeper/c.txt", "c".repeat(9000))
                .symlink("link", "a.txt")
                .materialise(src);
        // the key is made with the repository, then the repository is the sink's and the key the source's
        repo = LocalRepo.create(Files.createDirectories(dir.resolve("sink")));
        pki = Files.createDirectories(dir.resolve("pki"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        for (String n : new String[] {"web-1", "backup-1", "backup-2"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        }
    }

    /** A TLS dial spec to {@code name}'s listener at {@code port}, as {@code self}. */
    ConnectSpec tls(int port, String name, String self) {
        return new dev.sluice.engine.config.TlsConnectSpec("127.0.0.1", port, name, pki.resolve("ca.crt"),
                pki.resolve(self + ".crt"), pki.resolve(self + ".key"));
    }

    /** The source's configuration: job home of the source tree with the given repository (YAML flow text). */
    SluiceConfig sourceConfig(String repository) throws Exception {
        return ConfigLoader.parse("source.yaml", sourceYaml(repository), dir);
    }

    /** The text of {@link #sourceConfig}; the job's mapping is last, so more of its keys may be appended. */
    String sourceYaml(String repository) {
        // a source pulled through its listener needs one; a reverse-pull source dials out and listens nowhere
        String listen = repository.contains("sinks") ? "  listen:\n    stdinserver: {clients: [backup-1]}\n" : "";
        return """
                global:
                  host: web-1
                %sjobs:
                  - name: home
                    paths: [%s]
                    key_file: %s
                    chunker: {min: 4KiB, avg: 16KiB, max: 64KiB}
                    repository: %s
                """.formatted(listen, src, repo.key(), repository);
    }

    /** The sink's configuration: pull job web-1-home waiting for web-1's reverse link. */
    SluiceConfig sinkConfig() throws Exception {
        return ConfigLoader.parse("sink.yaml", """
                global:
                  host: backup-1
                  listen:
                    stdinserver: {clients: [web-1]}
                jobs:
                  - name: web-1-home
                    type: pull
                    source: {job: home, reverse: web-1, wait: 30s}
                    repository: %s
                """.formatted(repo.repo()), dir);
    }

    PulledJobs pulled(SluiceConfig source) {
        return new PulledJobs(() -> source, workers, clock, log, Map.of(), jobThreads, io);
    }

    /** The source daemon's dispatcher: it serves PULL only. */
    PeerDispatcher sourceDispatcher(SluiceConfig source) {
        return new PeerDispatcher(null, pulled(source), new ParkedLinks(dev.sluice.engine.protocol.Keepalive.DEFAULT, io), () -> source, log, io);
    }

    /** The sink daemon's dispatcher: READY for its reverse pull jobs, OPEN when {@code sink} is given. */
    PeerDispatcher sinkDispatcher(SluiceConfig sinkConfig, SinkServer sink) {
        return new PeerDispatcher(sink, null, parked, () -> sinkConfig, log, io);
    }

    PullJob.Outcome pull(PullSourceSpec source, Link given) {
        return pull(source, given, new Cancellation());
    }

    PullJob.Outcome pull(PullSourceSpec source, Link given, Cancellation cancellation) {
        return new PullJob(clock, io, parked).run(new PullJob.Plan("web-1-home", source, repo.repo(),
                SnapshotRateLimit.DEFAULT), given, cancellation);
    }

    static PullSourceSpec dial(ConnectSpec connect) {
        return new PullSourceSpec("home", connect, null, PullSourceSpec.DEFAULT_WAIT);
    }

    static PullSourceSpec reverse(String identity) {
        return new PullSourceSpec("home", null, identity, Duration.ofSeconds(30));
    }

    List<SnapshotRecord> snapshots() throws IOException {
        try (Repository open = Repository.open(repo.repo())) {
            return open.snapshots();
        }
    }

    /** One snapshot of job home filed under web-1, and it restores (with the source's key) to the source tree. */
    void assertPulledOnce(PullJob.Outcome outcome) throws IOException {
        assertEquals(0, outcome.status(), () -> "pull failed: " + outcome.failure() + "\nlog:\n" + log());
        assertNotNull(outcome.snapshot());
        assertOneSnapshotRestores();
    }

    /** The sink holds one snapshot of job home filed under web-1, which restores to the source tree. */
    void assertOneSnapshotRestores() throws IOException {
        List<SnapshotRecord> snaps = snapshots();
        assertEquals(1, snaps.size());
        assertEquals("home", snaps.get(0).job());
        assertEquals("web-1", snaps.get(0).host(), "the sink files the snapshot under the identity it gives the source");
        Path target = dir.resolve("restore");
        repo.restore("latest", target).expect(0);
        TreeAssert.assertSameTree(src, LocalRepo.restored(target, src));
    }

    String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    /** Sends one frame as the first frame of {@code link} and returns the ERROR the other side answers. */
    static ErrorCodec.Error firstFrameAnswer(Link link, MessageType type, byte[] payload) throws Exception {
        link.send(Flux.fromIterable(List.of(Frame.of(type.wire(), payload)))).block(WAIT);
        Frame answer = link.receive().next().block(WAIT);
        assertNotNull(answer, "no answer before the link closed");
        try {
            assertEquals(MessageType.ERROR.wire(), answer.type());
            byte[] bytes = new byte[answer.payload().readableBytes()];
            answer.payload().readBytes(bytes);
            return ErrorCodec.decode(bytes);
        } finally {
            answer.release();
        }
    }

    @Override
    public void close() {
        parked.closeAll("test over");
        workers.close();
        jobThreads.dispose();
        io.dispose();
    }
}
