package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A receiver that is not root (and not fake_super) keeps working in read-only directories of its own tree. */
class MirrorAsNobodyTest {

    @TempDir
    Path tmp;

    @Test
    void aSecondInPlaceRunWritesIntoDirectoriesWhoseModeDeniesTheOwnerWriting() throws Exception {
        Assumptions.assumeTrue(TargetRun.runningAsRoot(), "needs root to drop to nobody");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        Files.setAttribute(tmp, "unix:mode", 0755);
        Path source = Files.createDirectory(tmp.resolve("source"));
        TreeFixture.create()
                .dir("ro")
                .file("ro/changing", "first")
                .file("ro/readonly-file", "r")
                .mode("ro/readonly-file", 0444)
                .mode("ro", 0555)
                .materialise(source);
        Path target = Files.createDirectory(tmp.resolve("target"));
        Files.setAttribute(target, "unix:uid", 65534);
        Files.setAttribute(target, "unix:gid", 65534);
        run(source, target);
        Files.setAttribute(source.resolve("ro"), "unix:mode", 0755);
        Files.writeString(source.resolve("ro/changing"), "second, longer");
        Files.setAttribute(source.resolve("ro"), "unix:mode", 0555);
        Files.setAttribute(source.resolve("ro"), "unix:lastModifiedTime", java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        run(source, target);
        assertEquals("second, longer", Files.readString(target.resolve("ro/changing")));
        TreeAssert.assertSameTree(source, target, TreeAssert.Options.defaults().withOwnership(false).withRoot(false));

        // the read-only directory goes from the source: deleting it needs u+w on it first
        Files.setAttribute(source.resolve("ro"), "unix:mode", 0755);
        TreeFixture.create().file("only", "only").materialise(Files.createDirectory(tmp.resolve("next")));
        Files.setAttribute(tmp.resolve("next"), "unix:mode", 0755);
        run(tmp.resolve("next"), target);
        TreeAssert.assertSameTree(tmp.resolve("next"), target, TreeAssert.Options.defaults().withOwnership(false).withRoot(false));
    }

    @Test
    void snapshotsWithReadOnlyDirectoriesArePrunedAndReplacedAsNobody() throws Exception {
        Assumptions.assumeTrue(TargetRun.runningAsRoot(), "needs root to drop to nobody");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        Files.setAttribute(tmp, "unix:mode", 0755);
        Path source = Files.createDirectory(tmp.resolve("source"));
        TreeFixture.create().file("ro/f", "f").mode("ro", 0555).materialise(source);
        Path target = Files.createDirectory(tmp.resolve("target"));
        Files.setAttribute(target, "unix:uid", 65534);
        Files.setAttribute(target, "unix:gid", 65534);
        run(source, target, "SNAPSHOTS", MirrorSnapshotsTest.T0.toString(), "1");
        run(source, target, "SNAPSHOTS", MirrorSnapshotsTest.T0.plusSeconds(60).toString(), "1");
        assertEquals(java.util.List.of("2026-11-26T221600Z"), MirrorSnapshotsTest.names(target),
                "the first snapshot, with its read-only directory, is pruned");
        TreeAssert.assertSameTree(source, target.resolve("2026-11-26T221600Z"),
                TreeAssert.Options.defaults().withOwnership(false).withRoot(false));
    }

    private static void run(Path source, Path target) throws Exception {
        run(source, target, "IN_PLACE", MirrorSnapshotsTest.T0.toString(), "0");
    }

    private static void run(Path source, Path target, String layout, String instant, String keep) throws Exception {
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                MirrorKillTest.java(), "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED", "-cp", MirrorKillTest.classpath(),
                MirrorChildMain.class.getName(), "mirror", source.toString(), target.toString(), layout, "false",
                instant, keep)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }
}
