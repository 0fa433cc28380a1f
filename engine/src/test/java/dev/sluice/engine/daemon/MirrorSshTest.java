package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.engine.config.ListenStdinSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.job.MirrorJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirror jobs with ssh as the way to reach the peer, through a real sshd on loopback whose authorized_keys force
 * {@code sluice stdinserver ID} into the far daemon's stdinserver socket: a push ({@code mirror.ssh}) in both
 * layouts, a pull ({@code mirror.pull.ssh}) from the sender's stdinserver, and a reverse pull whose sender dials the
 * receiver's stdinserver through ssh.
 */
class MirrorSshTest {
    @TempDir
    static Path sshDir;
    static Sshd sshd;
    static Path donorRuntime;
    static Path joinerRuntime;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSshd() throws Exception {
        if (!Sshd.available()) {
            return;
        }
        donorRuntime = Files.createDirectory(sshDir.resolve("donor-run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        joinerRuntime = Files.createDirectory(sshDir.resolve("joiner-run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        sshd = Sshd.start(sshDir, Map.of(
                "to_joiner", Map.entry("donor", joinerRuntime),
                "to_donor", Map.entry("joiner", donorRuntime)));
    }

    @AfterAll
    static void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    @BeforeEach
    void needsSshd() {
        Assumptions.assumeTrue(sshd != null, "/usr/sbin/sshd is not installed");
    }

    /** An {@code ssh:} flow mapping through the test sshd with {@code key}, as {@code identity}, to {@code peer}. */
    private static String ssh(String key, String identity, String peer) {
        return "{address: '127.0.0.1:" + sshd.port + "', user: " + System.getProperty("user.name")
                + ", identity_file: " + sshDir.resolve(key) + ", options: [" + String.join(", ", sshd.options())
                + "], identity: " + identity + ", peer: " + peer + "}";
    }

    @Test
    void aPushOverSshInBothLayoutsEqualsTheSource() throws Exception {
        try (MirrorPeers p = new MirrorPeers(dir)) {
            SluiceConfig joiner = p.config("joiner.yaml", """
                    global:
                      host: joiner
                      listen: {stdinserver: {clients: [donor]}}
                      mirror: {clients: {donor: {targets: {datadir: %s, snaps: %s}}}}
                    """.formatted(dir.resolve("joiner/in-place"), dir.resolve("joiner/snaps")));
            StdinSinkService listener = StdinSinkService.of(new ListenStdinSpec(Set.of("donor")), joinerRuntime,
                    p.receiverDispatcher(joiner)::serve);
            listener.start();
            try {
                SluiceConfig donor = p.config("donor.yaml", """
                        global: {host: donor}
                        jobs:
                          - name: datadir
                            type: mirror
                            paths: [%s]
                            mirror: {target: datadir, ssh: %s}
                          - name: snaps
                            type: mirror
                            paths: [%s]
                            mirror: {target: snaps, layout: snapshots, keep_snapshots: 2, ssh: %s}
                        """.formatted(p.src, ssh("to_joiner", "donor", "joiner"), p.src,
                        ssh("to_joiner", "donor", "joiner")));
                MirrorJob.Outcome inPlace = p.runOk(donor, "datadir");
                TreeAssert.assertSameTree(p.src, dir.resolve("joiner/in-place"));
                assertEquals(".", inPlace.received().finalTree());
                assertEquals(0, p.runOk(donor, "datadir").result().filesWritten(), "a second run keeps every file");
                MirrorJob.Outcome snap = p.runOk(donor, "snaps");
                TreeAssert.assertSameTree(p.src, dir.resolve("joiner/snaps").resolve(snap.received().finalTree()));
            } finally {
                listener.stop();
            }
        }
    }

    @Test
    void aPullOverSshReachesTheSendersStdinserver() throws Exception {
        try (MirrorPeers p = new MirrorPeers(dir)) {
            SluiceConfig donor = p.side("donor", "joiner", "{pulled_by: [joiner]}", null);
            StdinSinkService listener = StdinSinkService.of(new ListenStdinSpec(Set.of("joiner")), donorRuntime,
                    p.senderDispatcher(donor)::serve);
            listener.start();
            try {
                SluiceConfig joiner = p.side("joiner", null, "{pull: {job: datadir, ssh: "
                        + ssh("to_donor", "joiner", "donor") + "}, layout: snapshots}", dir.resolve("joiner/snaps"));
                MirrorJob.Outcome o = p.runOk(joiner, "copy");
                TreeAssert.assertSameTree(p.src, dir.resolve("joiner/snaps").resolve(o.received().finalTree()));
            } finally {
                listener.stop();
            }
        }
    }

    @Test
    void aReversePullOverSshParksAtTheReceiversStdinserver() throws Exception {
        try (MirrorPeers p = new MirrorPeers(dir)) {
            SluiceConfig joiner = p.side("joiner", "donor", "{pull: {job: datadir, reverse: donor, wait: 60s}}",
                    dir.resolve("joiner/in-place"));
            StdinSinkService listener = StdinSinkService.of(new ListenStdinSpec(Set.of("donor")), joinerRuntime,
                    p.receiverDispatcher(joiner)::serve);
            listener.start();
            ReversePullService service = null;
            try {
                SluiceConfig donor = p.side("donor", null, "{reverse_pull: {ssh: " + ssh("to_joiner", "donor",
                        "joiner") + "}}", null);
                service = new ReversePullService(PeerServices.reverseDials(donor).get(0), p.pulled(donor), p.log,
                        p.jobThreads);
                service.start();
                p.runOk(joiner, "copy");
                TreeAssert.assertSameTree(p.src, dir.resolve("joiner/in-place"));
            } finally {
                if (service != null) {
                    service.stop();
                }
                listener.stop();
            }
        }
    }
}
