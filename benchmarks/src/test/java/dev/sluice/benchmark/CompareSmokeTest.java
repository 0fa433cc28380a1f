package dev.sluice.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code benchmarks/compare --tiny --repeat 1} with the installed tools and checks its report. */
final class CompareSmokeTest {

    private static final Pattern VERIFIED = Pattern.compile("restore verification: passed \\((\\d+) restores");

    @Test
    void tinyComparisonVerifiesRestoresAndWritesTable(@TempDir Path work) throws IOException, InterruptedException {
        Path module = Path.of("").toAbsolutePath();
        Path root = module.getParent();
        Path script = module.resolve("compare");
        assertTrue(Files.isExecutable(script), "compare script missing or not executable: " + script);

        List<String> tools = new ArrayList<>();
        Path sluiceJar = root.resolve("engine").resolve("target").resolve("sluice.jar");
        boolean sluice = Files.isRegularFile(sluiceJar);
        if (sluice) {
            tools.add("sluice");
        } else {
            System.out.println("CompareSmokeTest: sluice SKIPPED, " + sluiceJar
                    + " is missing (build it with: mvn -B -q package -DskipTests)");
        }
        for (String tool : List.of("restic", "borg", "rsync")) {
            if (onPath(tool)) {
                tools.add(tool);
            } else {
                System.out.println("CompareSmokeTest: " + tool + " not installed, not compared");
            }
        }
        assertFalse(tools.isEmpty(), "No tool to compare: sluice.jar missing and none of restic, borg, rsync installed.");

        Path report = work.resolve("report.md");
        Path output = work.resolve("compare.log");
        List<String> command = List.of(script.toString(), "--tiny", "--repeat", "1", "--no-install",
                "--tools", String.join(",", tools),
                "--workdir", work.resolve("work").toString(),
                "--out", report.toString(),
                "--jdk", System.getProperty("java.home"),
                "--sluice-jar", sluiceJar.toString(),
                "--classpath", System.getProperty("java.class.path"));
        Process process = new ProcessBuilder(command).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("compare did not finish within 5 minutes; output:\n" + Files.readString(output));
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println(log);
        assertEquals(0, process.exitValue(), "compare exited with " + process.exitValue() + "; output:\n" + log);

        String table = Files.readString(report, StandardCharsets.UTF_8);
        assertTrue(table.contains("| phase | tool | wall s | CPU s | peak RSS MiB |"), "no timing table in:\n" + table);
        assertTrue(table.contains("| tool | repo MiB after first |"), "no repository size table in:\n" + table);
        if (sluice && table.contains("- sluice: not available")) {
            throw new AssertionError(sluiceJar + " exists but compare could not run sluice with it "
                    + "(delete the jar to compare only the other tools):\n" + table);
        }
        Matcher verified = VERIFIED.matcher(table);
        assertTrue(verified.find(), "report does not say the restores were verified:\n" + table);
        assertEquals(tools.size(), Integer.parseInt(verified.group(1)),
                "expected one verified restore per tool " + tools + " in:\n" + table);
        for (String tool : tools) {
            assertTrue(table.contains("| restore | " + tool + " | ") && !table.contains("| restore | " + tool + " | not available"),
                    tool + " has no restore row with numbers in:\n" + table);
        }
    }

    private static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}
