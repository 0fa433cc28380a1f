package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A receiver JVM killed with SIGKILL in the middle of a snapshots run leaves the previous snapshot intact. */
class MirrorKillTest {

    @TempDir
    Path tmp;

    static String classpath() throws Exception {
        Path classes = Path.of(MirrorTarget.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(MirrorChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return classes + File.pathSeparator + testClasses;
    }

    static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    @Test
    void aReceiverKilledMidRunLeavesThePreviousSnapshotIntact() throws Exception {
        Path source = Files.createDirectory(tmp.resolve("source"));
        TreeFixture.kitchenSink(21).materialise(source);
        Path target = tmp.resolve("target");
        String first = MirrorSnapshotsTest.run(source, target, MirrorSnapshotsTest.snapshots(0),
                MirrorSnapshotsTest.at(Duration.ZERO)).finalTree();

        Process child = new ProcessBuilder(java(), "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED", "-cp", classpath(),
                MirrorChildMain.class.getName(), "hang", source.toString(), target.toString(),
                MirrorSnapshotsTest.T0.plusSeconds(60).toString())
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine());
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertEquals(List.of(".partial-2026-11-26T221600Z", first), MirrorSnapshotsTest.names(target));
        TreeAssert.assertSameTree(source, target.resolve(first));

        String next = MirrorSnapshotsTest.run(source, target, MirrorSnapshotsTest.snapshots(0),
                MirrorSnapshotsTest.at(Duration.ofMinutes(2))).finalTree();
        assertEquals(List.of(first, next), MirrorSnapshotsTest.names(target));
        TreeAssert.assertSameTree(source, target.resolve(first));
        TreeAssert.assertSameTree(source, target.resolve(next));
    }
}
