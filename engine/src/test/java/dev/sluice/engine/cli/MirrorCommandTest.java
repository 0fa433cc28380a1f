package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.fs.TreeFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice mirror -c FILE [JOB]} runs local mirror jobs; {@code sluice backup -c} leaves them alone. */
class MirrorCommandTest {
    @TempDir
    Path dir;

    @Test
    void mirrorRunsTheJobAndASecondRunKeepsEveryFile() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        TreeFixture.kitchenSink(31).materialise(src);
        Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, """
                jobs:
                  - name: www
                    type: mirror
                    paths: [src]
                    mirror: {directory: mirror, layout: in-place}
                """);
        CliRun first = CliRun.of("mirror", "-c", config.toString()).expect(ExitCode.OK);
        assertTrue(first.out().startsWith("mirror www: "), first.out());
        TreeAssert.assertSameTree(src, dir.resolve("mirror"));

        CliRun second = CliRun.of("mirror", "-c", config.toString(), "www").expect(ExitCode.OK);
        assertTrue(second.out().contains(" 0 files written"), second.out());
        assertTrue(second.out().contains("0 B literal"), second.out());

        CliRun backup = CliRun.of("backup", "-c", config.toString(), "www");
        assertEquals(ExitCode.USAGE, backup.exit(), backup.toString());
        assertTrue(backup.err().contains("is a mirror job; run it with sluice mirror"), backup.err());
    }

    @Test
    void aMissingJobIsAUsageError() throws Exception {
        Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, """
                jobs:
                  - name: www
                    type: mirror
                    paths: [/nonexistent]
                    mirror: {directory: mirror}
                """);
        CliRun r = CliRun.of("mirror", "-c", config.toString(), "nope");
        assertEquals(ExitCode.USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains("no job named 'nope'"), r.err());
    }
}
