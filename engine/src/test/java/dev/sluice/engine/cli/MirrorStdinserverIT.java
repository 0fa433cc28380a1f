package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.mirror.MirrorRequest;
import dev.sluice.engine.mirror.MirrorResult;
import dev.sluice.engine.mirror.MirrorSender;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.pipe.PipeLinks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirror runs into a receiver daemon (a real {@code sluice daemon} process configured with {@code global.mirror})
 * over the path an ssh forced command takes: the sender runs {@code sluice stdinserver donor} as a child and speaks
 * the mirror protocol on its stdin/stdout; the daemon's dispatcher hands the link to its mirror receiver, which
 * writes only the donor's targets.
 */
class MirrorStdinserverIT {
    @TempDir
    Path dir;

    /** How the forced command is started: the JVM ({@code java -jar}), or the launcher (bash, the daemon's FIFO). */
    private enum Way { JVM, LAUNCHER }

    private Way way = Way.JVM;

    @Test
    void aForcedCommandReachesTheReceiversTargetsInBothLayouts() throws Exception {
        pushesInBothLayouts();
        assertEquals(0, fifoClients(), "java -jar ... stdinserver passes its descriptors through the socket");
    }

    /**
     * The launcher as forced command needs no JVM: it reaches the daemon through its FIFO (docs/transports.md
     * "stdinserver without a JVM"), with the same results; with SLUICE_STDINSERVER_JVM=1 it runs the JVM.
     */
    @Test
    void theLauncherAsForcedCommandReachesTheDaemonWithoutAJvm() throws Exception {
        way = Way.LAUNCHER;
        pushesInBothLayouts();
        assertEquals(4, fifoClients(), "every run of the launcher came through the FIFO");
    }

    private long fifoClients() throws IOException {
        return Files.readString(dir.resolve("daemon-log/stderr")).lines()
                .filter(l -> l.contains("stdinserver client 'donor' came through its FIFO")).count();
    }

    private void pushesInBothLayouts() throws Exception {
        Path src = Files.createDirectories(dir.resolve("source/data"));
        TreeFixture.kitchenSink(41).materialise(src);
        Path runtime = Files.createDirectory(dir.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path config = dir.resolve("joiner.yaml");
        Files.writeString(config, """
                global:
                  runtime_dir: run
                  metrics: off
                  shutdown_grace: 0s
                  listen:
                    stdinserver: {clients: [donor]}
                  mirror:
                    clients:
                      donor: {targets: {datadir: in-place, snaps: snaps}}
                """);
        Process daemon = SluiceProcess.builder(Map.of(), SluiceProcess.command(List.of(), List.of("-Xmx512m"),
                "daemon", "-c", config.toString()), dir.resolve("daemon-log")).start();
        try {
            SluiceProcess.awaitServiceStart(daemon, dir.resolve("daemon-log/stderr"), "stdinserver listener");
            push(runtime, src, "datadir", MirrorOptions.Layout.IN_PLACE);
            TreeAssert.assertSameTree(src, dir.resolve("in-place"));
            MirrorResult snap = push(runtime, src, "snaps", MirrorOptions.Layout.SNAPSHOTS);
            TreeAssert.assertSameTree(src, dir.resolve("snaps").resolve(snap.receiver().finalTree()));

            Files.writeString(src.resolve("data/hello.txt"), "changed over the forced command\n");
            MirrorResult second = push(runtime, src, "datadir", MirrorOptions.Layout.IN_PLACE);
            assertEquals(1, second.filesWritten(), second.toString());
            TreeAssert.assertSameTree(src, dir.resolve("in-place"));

            ProtocolException refused = assertThrows(ProtocolException.class,
                    () -> push(runtime, src, "elsewhere", MirrorOptions.Layout.IN_PLACE));
            assertEquals(ErrorCode.JOB_NOT_ALLOWED, refused.code(), refused.getMessage());
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    private MirrorResult push(Path runtime, Path src, String target, MirrorOptions.Layout layout) throws Exception {
        Path log = Files.createDirectories(dir.resolve("stdinserver-log-" + target + "-" + System.nanoTime()));
        ProcessBuilder pb;
        if (way == Way.JVM) {
            pb = new ProcessBuilder(SluiceProcess.command(List.of(), List.of("-Xmx256m"),
                    "stdinserver", "donor", "--runtime-dir", runtime.toString()));
        } else {
            pb = new ProcessBuilder(Path.of("bin", "sluice").toAbsolutePath().toString(), "stdinserver", "donor",
                    "--runtime-dir", runtime.toString());
            pb.environment().put("SLUICE_JAR", SluiceProcess.jar().toAbsolutePath().toString());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        }
        pb.redirectError(log.resolve("stderr").toFile());
        Process child = pb.start();
        try (PipeLinks pipes = PipeLinks.create()) {
            Link link = pipes.open(child.getInputStream(), child.getOutputStream(), "stdinserver donor",
                    LinkSpec.DEFAULT, new PeerIdentity("joiner"), true).block(Duration.ofSeconds(30));
            assertNotNull(link, "the link handshake did not complete");
            MirrorResult r = new MirrorSender().run(link, new MirrorRequest(List.of(src), ScanRules.all(), target,
                    layout, true, false, false, 0));
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "sluice stdinserver did not exit after the run");
            return r;
        } catch (IOException e) {
            child.waitFor(60, TimeUnit.SECONDS);
            throw e;
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }
}
