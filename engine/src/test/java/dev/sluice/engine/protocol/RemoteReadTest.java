package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.backup.BackupResult;
import dev.sluice.engine.check.DataCheck;
import dev.sluice.engine.check.SnapshotCheck;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.content.RepositoryKeys;
import dev.sluice.engine.crypto.KeyFile;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.crypto.WrongKeyException;
import dev.sluice.engine.daemon.TlsSinkService;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.job.SinkReads;
import dev.sluice.engine.config.TlsConnectSpec;
import dev.sluice.engine.job.SinkTarget;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.repository.BlobKind;
import dev.sluice.engine.repository.IndexEntry;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.restore.RestoreOptions;
import dev.sluice.engine.restore.Restorer;
import dev.sluice.engine.retention.SnapshotRateLimit;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import dev.sluice.transport.tls.CertificateAuthority;
import dev.sluice.transport.tls.TlsClientSpec;
import dev.sluice.transport.tls.TlsEngine;
import dev.sluice.transport.tls.TlsServerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** Read sessions (OPEN_READ): remote restore and check through the sink, key checks, and what a peer may read. */
class RemoteReadTest {
    @TempDir
    Path dir;
    PushHarness h;

    @BeforeEach
    void setUp() throws IOException {
        h = new PushHarness(dir.resolve("work"));
        // the sink's repository was made with the source's key: its key check is there, the key is not
        try (Repository repo = Repository.open(h.repoRoot)) {
            RepositoryKeys.initialize(repo, h.key, null, new SecureRandom());
        }
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private BackupResult pushLocal(String identity, String job) throws IOException {
        LocalLinks.Pair p = LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity(identity));
        Mono<CloseReason> served = h.serve(p.second());
        BackupResult r = h.push(p.first(), job);
        served.block(PushHarness.WAIT);
        return r;
    }

    /** A read session for {@code identity} on a sink that lets both web-1 and web-2 use job "home". */
    private SinkReader reader(String identity) throws IOException {
        SinkServer shared = new SinkServer(h.repoRoot, new SinkPolicy(Map.of(new PeerIdentity("web-1"),
                Set.of("home"), new PeerIdentity("web-2"), Set.of("home")), SnapshotRateLimit.DEFAULT),
                Clock.systemUTC(), h.sinkIo);
        LocalLinks.Pair p = LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity(identity));
        shared.serve(p.second()).subscribe(r -> { }, e -> { });
        return SinkReader.open(p.first(), "home");
    }

    private static List<IndexEntry> blobs(Path repoRoot, BlobKind kind) throws IOException {
        List<IndexEntry> out = new ArrayList<>();
        try (Repository repo = Repository.open(repoRoot)) {
            for (IndexEntry e : repo.index()) {
                if (e.kind() == kind) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    @Test
    void pushThenRemoteRestoreOverTlsGivesTheExactTreeBack() throws Exception {
        TreeFixture.kitchenSink(7).materialise(Files.createDirectories(h.src.resolve("kitchen")));
        for (int i = 0; i < 120; i++) {
            Files.writeString(h.src.resolve("many-" + i + ".txt"), "small file " + i + "\n".repeat(i));
        }
        Path pki = Files.createDirectories(dir.resolve("pki"));
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), new SecureRandom());
        ca.writeTo(pki);
        for (String n : new String[] {"sink", "web-1"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(pki);
        }
        Path keyFile = dir.resolve("source.key");
        KeyFile.create(keyFile, h.key);
        TlsSinkService service = new TlsSinkService(new TlsServerSpec("127.0.0.1", 0, pki.resolve("ca.crt"),
                pki.resolve("sink.crt"), pki.resolve("sink.key"), Map.of("web-1", new PeerIdentity("web-1")),
                LinkSpec.DEFAULT, TlsEngine.preferred()), h.server);
        service.start();
        try {
            SinkTarget target = SinkTarget.of(new TlsConnectSpec("127.0.0.1", service.address().getPort(), "sink",
                    pki.resolve("ca.crt"), pki.resolve("web-1.crt"), pki.resolve("web-1.key")), keyFile);
            BackupResult pushed = h.push(target.connect(), "home");

            Path restored = dir.resolve("restore");
            try (SinkReader reader = SinkReads.open(target, "home", h.key); BlobCodec codec = h.codec()) {
                List<SnapshotRecord> snaps = reader.snapshots();
                assertEquals(1, snaps.size());
                assertEquals(pushed.snapshot(), snaps.get(0).id());
                new Restorer(h.workers, reader.blobs(snaps.get(0)), codec).restore(snaps.get(0), restored,
                        new RestoreOptions(List.of(), false), p -> {
                            throw new AssertionError("restore problem: " + p);
                        });
                List<DataCheck.Finding> findings = new ArrayList<>();
                SnapshotCheck check = new SnapshotCheck(codec);
                assertEquals(0, check.run(snaps.get(0), reader.blobs(snaps.get(0)), true, findings::add),
                        findings.toString());
                assertEquals(blobs(h.repoRoot, BlobKind.DATA).size() + blobs(h.repoRoot, BlobKind.TREE).size(),
                        check.blobsVerified(), "check --read-data read every blob of the snapshot");
            }
            TreeAssert.assertSameTree(h.src, restored.resolve(h.src.toAbsolutePath().toString().substring(1)));

            // a key file of another key is refused before anything is read or sent
            Path wrongFile = dir.resolve("wrong.key");
            KeyFile.create(wrongFile, MasterKey.generate(new SecureRandom()));
            SinkTarget wrong = new SinkTarget(target.connector(), wrongFile);
            WrongKeyException e = assertThrows(WrongKeyException.class,
                    () -> SinkReads.open(wrong, "home", KeyFile.read(wrongFile)));
            assertTrue(e.getMessage().contains(wrongFile + " does not belong to the repository of sink tls 127.0.0.1:"),
                    e.getMessage());
        } finally {
            service.stop();
        }
    }

    @Test
    void aRemoteRestoreKeepsManyReadsInFlight() throws Exception {
        Random r = new Random(4);
        for (int i = 0; i < 40; i++) {
            Files.write(h.src.resolve("part-" + i + ".bin"), PushHarness.random(r, 30_000 + r.nextInt(200_000)));
        }
        pushLocal("web-1", "home");
        LocalLinks.Pair p = LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity("web-1"));
        h.serve(p.second());
        RecordingLink wire = new RecordingLink(p.first());
        Path restored = dir.resolve("restore");
        try (SinkReader reader = SinkReader.open(wire, "home"); BlobCodec codec = h.codec()) {
            SnapshotRecord s = reader.snapshots().get(0);
            new Restorer(h.workers, reader.blobs(s), codec).restore(s, restored, new RestoreOptions(List.of(), false),
                    problem -> {
                        throw new AssertionError("restore problem: " + problem);
                    });
        }
        TreeAssert.assertSameTree(h.src, restored.resolve(h.src.toAbsolutePath().toString().substring(1)));
        System.out.println("remote restore: at most " + wire.maxReadsInFlight.get() + " READ_BLOBs in flight");
        assertTrue(wire.maxReadsInFlight.get() >= 8, "reads in flight at most " + wire.maxReadsInFlight.get());
        assertTrue(wire.maxReadsInFlight.get() <= RemoteBlobSink.MAX_OUTSTANDING, "bounded: "
                + wire.maxReadsInFlight.get());
    }

    @Test
    void aRemoteCheckNamesEveryFileThatNeedsADamagedBlob() throws Exception {
        byte[] same = PushHarness.random(new Random(6), 3000); // below the 4 KiB minimum: one chunk
        Files.write(h.src.resolve("twin-a.bin"), same);
        Files.write(h.src.resolve("twin-b.bin"), same);
        pushLocal("web-1", "home");
        try (SinkReader reader = reader("web-1"); BlobCodec codec = h.codec()) {
            SnapshotRecord s = reader.snapshots().get(0);
            List<DataCheck.Finding> clean = new ArrayList<>();
            assertEquals(0, new SnapshotCheck(codec).run(s, reader.blobs(s), true, clean::add), clean.toString());

            // flip one byte inside the chunk both twins share
            BlobId twinId = codec.id(same, 0, same.length);
            IndexEntry twin = blobs(h.repoRoot, BlobKind.DATA).stream().filter(e -> e.id().equals(twinId))
                    .findFirst().orElseThrow();
            Path pack = new dev.sluice.engine.repository.RepositoryLayout(h.repoRoot).pack(twin.pack());
            byte[] bytes = Files.readAllBytes(pack);
            bytes[(int) twin.offset() + 100] ^= 1;
            pack.toFile().setWritable(true);
            Files.write(pack, bytes);

            List<DataCheck.Finding> findings = new ArrayList<>();
            int n = new SnapshotCheck(codec).run(s, reader.blobs(s), true, findings::add);
            assertEquals(2, n, findings.toString());
            assertTrue(findings.get(0).message().contains("twin-a.bin") && findings.get(1).message().contains(
                    "twin-b.bin") && findings.get(0).message().contains(twin.id().shortHex()), findings.toString());
            assertEquals(0, new SnapshotCheck(codec).run(s, reader.blobs(s), false, findings::add),
                    "without --read-data only metadata is read");
        }
    }

    @Test
    void aPushWithAWrongKeyFailsAtTheKeyCheckBeforeSendingData() throws Exception {
        LocalLinks.Pair p = LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity("web-1"));
        RecordingLink wire = new RecordingLink(p.first());
        h.serve(p.second());
        Path keyFile = dir.resolve("wrong.key");
        MasterKey wrongKey = MasterKey.generate(new SecureRandom());
        KeyFile.create(keyFile, wrongKey);
        SinkTarget target = SinkTarget.of(new TlsConnectSpec("127.0.0.1", 1, "sink", keyFile, keyFile, keyFile),
                keyFile);
        try (RemoteBlobSink remote = RemoteBlobSink.open(wire, "home")) {
            var check = remote.keyCheck();
            assertTrue(check.isPresent(), "the sink hands out its key check");
            assertThrows(WrongKeyException.class, () -> SinkReads.verifyKey(check, wrongKey, target));
            SinkReads.verifyKey(check, h.key, target);
        }
        assertEquals(0, wire.puts.get(), "nothing was sent");
    }

    @Test
    void identityBCannotListOrReadTheSnapshotsOfA() throws Exception {
        BackupResult a = pushLocal("web-1", "home");
        BlobId aData = blobs(h.repoRoot, BlobKind.DATA).get(0).id();
        try (SinkReader own = reader("web-1")) {
            SnapshotRecord snap = own.snapshots().get(0);
            assertEquals(a.snapshot(), snap.id());
            byte[] sealed = own.blobs(snap).read(aData);
            try (Repository repo = Repository.open(h.repoRoot)) {
                assertArrayEquals(repo.readBlob(aData), sealed, "the owner reads its data blob");
            }
        }
        try (SinkReader other = reader("web-2")) {
            assertEquals(List.of(), other.snapshots(), "B lists none of A's snapshots");
            SnapshotRecord aSnapshot = h.snapshots().get(0);
            ProtocolException e = assertThrows(ProtocolException.class, () -> other.blobs(aSnapshot).read(aData));
            assertEquals(ErrorCode.NOT_FOUND, e.code());
            assertTrue(e.getMessage().contains("is not a snapshot of job 'home' from 'web-2'"), e.getMessage());
            assertTrue(other.keyCheck().isPresent(), "the session goes on after NOT_FOUND");
        }
    }

    @Test
    void aBlobNotReferencedByTheNamedSnapshotIsRefusedAndReadSessionsCannotAdd() throws Exception {
        pushLocal("web-1", "home");
        Set<BlobId> before = new HashSet<>();
        blobs(h.repoRoot, BlobKind.DATA).forEach(e -> before.add(e.id()));
        Files.write(h.src.resolve("new.bin"), PushHarness.random(new java.util.Random(9), 70_000));
        pushLocal("web-1", "home");
        BlobId added = blobs(h.repoRoot, BlobKind.DATA).stream().map(IndexEntry::id)
                .filter(id -> !before.contains(id)).findFirst().orElseThrow();
        try (SinkReader reader = reader("web-1")) {
            List<SnapshotRecord> snaps = new ArrayList<>(reader.snapshots());
            snaps.sort(java.util.Comparator.comparing(SnapshotRecord::time));
            SnapshotRecord first = snaps.get(0);
            SnapshotRecord second = snaps.get(1);
            ProtocolException e = assertThrows(ProtocolException.class, () -> reader.blobs(first).read(added));
            assertEquals(ErrorCode.NOT_FOUND, e.code());
            assertTrue(e.getMessage().contains("is not referenced by snapshot " + first.id().shortHex()),
                    e.getMessage());
            try (Repository repo = Repository.open(h.repoRoot)) {
                assertArrayEquals(repo.readBlob(added), reader.blobs(second).read(added), "the second snapshot has it");
            }
            BlobId unknown = BlobId.of(new byte[32]);
            assertEquals(ErrorCode.NOT_FOUND, assertThrows(ProtocolException.class,
                    () -> reader.blobs(second).read(unknown)).code());
        }

        // a read session cannot add: a PUT is refused and ends the session
        SinkServer server = h.server;
        LocalLinks.Pair p = LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity("web-1"));
        server.serve(p.second()).subscribe(r -> { }, err -> { });
        RemoteBlobSink read = RemoteBlobSink.open(p.first(), "home", MessageType.OPEN_READ);
        read.put(BlobId.of(new byte[32]), BlobKind.DATA, new byte[100]);
        IOException refused = assertThrows(IOException.class, () -> read.commit(h.snapshots().get(0)));
        assertTrue(refused.getMessage().contains("a read session cannot add anything"), refused.getMessage());
        read.close();
    }
}
