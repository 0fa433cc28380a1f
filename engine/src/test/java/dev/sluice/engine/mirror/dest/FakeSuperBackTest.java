package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import dev.sluice.engine.mirror.LocalMirror;
import dev.sluice.engine.mirror.MirrorRequest;
import dev.sluice.engine.scan.ScanRules;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Mirroring a fake-super tree back: a tree with foreign owners, a set-uid file, a fifo and devices is mirrored by
 * nobody with fake_super (a child JVM under setpriv), then mirrored back as root with {@code source_fake_super}
 * ({@link MirrorRequest#sourceFakeSuper()}): the result equals the original tree, owners, modes and devices included.
 */
class FakeSuperBackTest {
    @TempDir
    Path tmp;

    @Test
    void aTreeMirroredByNobodyComesBackAsTheOriginal() throws Exception {
        Assumptions.assumeTrue(TargetRun.runningAsRoot(), "needs root to make devices and drop to nobody");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        Files.setAttribute(tmp, "unix:mode", 0755);
        Path source = Files.createDirectory(tmp.resolve("source"));
        // no symlink: a symlink cannot carry the xattr, so its owner is not kept (docs/mirror.md)
        TreeFixture.create()
                .file("owned/by-1234", "owned")
                .file("owned/suid-root", "suid")
                .mode("owned/suid-root", 04755)
                .fifo("special/fifo")
                .device("special/null", FileKind.CHAR_DEVICE, 1, 3)
                .device("special/loop", FileKind.BLOCK_DEVICE, 7, 0)
                .file("tagged", "x")
                .xattr("tagged", "user.comment", new byte[] {1, 2})
                .materialise(source);
        Files.setAttribute(source.resolve("owned/by-1234"), "unix:uid", 1234);
        Files.setAttribute(source.resolve("owned/by-1234"), "unix:gid", 5678);
        Files.setAttribute(source.resolve("owned"), "unix:uid", 42);
        Files.setAttribute(source.resolve("special/fifo"), "unix:gid", 77);
        Path stored = Files.createDirectory(tmp.resolve("stored"));
        Files.setAttribute(stored, "unix:uid", 65534);
        Files.setAttribute(stored, "unix:gid", 65534);
        runAsNobody(source, stored);

        Path back = tmp.resolve("back");
        Scheduler io = Schedulers.newBoundedElastic(2, 100, "fake-super-back");
        try {
            LocalMirror local = new LocalMirror((d, o) -> MirrorTarget.open(d, o, Clock.systemUTC()),
                    MirrorLimits.DEFAULT, io);
            local.run(new MirrorRequest(List.of(stored), ScanRules.all(), "back", MirrorOptions.Layout.IN_PLACE,
                    true, false, false, 0, true), back);
            TreeAssert.assertSameTree(source, back);

            // without source_fake_super the placeholders come back as what they are on disk: the control
            Path plain = tmp.resolve("plain");
            local.run(new MirrorRequest(List.of(stored), ScanRules.all(), "plain", MirrorOptions.Layout.IN_PLACE,
                    true, false, false, 0, false), plain);
            assertEquals(true, Files.isRegularFile(plain.resolve("special/null"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
            assertEquals(65534, (Integer) Files.getAttribute(plain.resolve("owned/by-1234"), "unix:uid"));
        } finally {
            io.dispose();
        }
    }

    private static void runAsNobody(Path source, Path target) throws Exception {
        String cp = MirrorKillTest.classpath();
        for (String part : cp.split(File.pathSeparator)) {
            Assumptions.assumeTrue(((Integer) Files.getAttribute(Path.of(part), "unix:mode") & 05) == 05,
                    "class directories must be readable by nobody");
        }
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                MirrorKillTest.java(), "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED", "-cp", cp,
                MirrorChildMain.class.getName(), "mirror", source.toString(), target.toString(), "IN_PLACE", "true",
                MirrorSnapshotsTest.T0.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }
}
