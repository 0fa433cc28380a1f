package dev.sluice.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code benchmarks/mirror-compare --tiny}: sluice mirror over TLS and rsync over ssh, both verified. */
final class MirrorCompareSmokeTest {

    @Test
    void tinyMirrorComparisonVerifiesBothMirrorsAndWritesTheTable(@TempDir Path work)
            throws IOException, InterruptedException {
        Path module = Path.of("").toAbsolutePath();
        Path root = module.getParent();
        Path script = module.resolve("mirror-compare");
        assertTrue(Files.isExecutable(script), "mirror-compare script missing or not executable: " + script);
        Path sluiceJar = root.resolve("engine").resolve("target").resolve("sluice.jar");
        Assumptions.assumeTrue(Files.isRegularFile(sluiceJar), sluiceJar + " is missing (mvn -B -q package"
                + " -DskipTests)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/sshd")) && Files.isExecutable(Path.of(
                "/usr/bin/rsync")), "rsync or sshd is not installed");

        Path report = work.resolve("report.md");
        Path output = work.resolve("mirror-compare.log");
        List<String> command = List.of(script.toString(), "--tiny", "--repeat", "2",
                "--workdir", work.resolve("work").toString(),
                "--out", report.toString(), "--jdk", System.getProperty("java.home"),
                "--sluice-jar", sluiceJar.toString(), "--classpath", System.getProperty("java.class.path"));
        Process process = new ProcessBuilder(command).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("mirror-compare did not finish within 5 minutes; output:\n"
                    + Files.readString(output));
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "mirror-compare exited with " + process.exitValue() + ":\n" + log);
        String table = Files.readString(report, StandardCharsets.UTF_8);
        assertTrue(table.contains("every mirror verified with diff -r"), table);
        for (String phase : List.of("first", "change", "nochange")) {
            assertTrue(table.contains("| " + phase + " | sluice-daemon | ") && table.contains("| " + phase + " | rsync | "), "no rows for " + phase + " in:\n" + table);
            // each repetition's own rows, rsync's at 1.00 of itself
            assertTrue(table.contains("| 2 | " + phase + " | rsync | ") && table.contains("| 2 | " + phase
                    + " | sluice-daemon | "), "no rows of repetition 2 for " + phase + " in:\n" + table);
        }
        assertTrue(table.contains("| 1 | first | rsync | "), table);
    }
}
