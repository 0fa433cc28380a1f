package dev.sluice.engine.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks in a child JVM: as user nobody (tests run as root, who can read every directory, so
 * setpriv(1) drops privileges to prove an unreadable directory becomes an UNREADABLE entry and
 * the walk goes on), and under LANG=C (to prove raw names do not depend on the locale).
 */
class WalkerChildJvmTest {

    @TempDir
    Path tmp;

    @Test
    void unreadableDirectoryIsReportedAndTheWalkGoesOn() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "setpriv needs root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        Path classes = Path.of(Walker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(WalkerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Assumptions.assumeTrue(readableByOthers(classes) && readableByOthers(testClasses),
                "class directories must be readable by nobody");
        String java = ProcessHandle.current().info().command().orElseThrow();

        Files.setAttribute(tmp, "unix:mode", 0755);
        Path root = Files.createDirectory(tmp.resolve("tree"));
        Files.createDirectory(root.resolve("a-open"));
        Files.write(root.resolve("a-open/file"), new byte[0]);
        Path closed = Files.createDirectory(root.resolve("b-closed"));
        Files.write(closed.resolve("secret"), new byte[0]);
        Files.setAttribute(closed, "unix:mode", 0);
        Files.write(root.resolve("c-after"), new byte[0]);

        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                java, "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED",
                "-cp", classes + File.pathSeparator + testClasses, WalkerMain.class.getName(), root.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals(List.of(
                root + " DIRECTORY",
                root + "/a-open DIRECTORY",
                root + "/a-open/file REGULAR",
                root + "/b-closed UNREADABLE",
                root + "/c-after REGULAR"), out.lines().toList());
    }

    @Test
    void rawNamesSurviveUnderTheCLocale() throws Exception {
        Path classes = Path.of(Walker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(WalkerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = ProcessHandle.current().info().command().orElseThrow();
        dev.sluice.engine.fs.TreeFixture.create()
                .file(dev.sluice.engine.fs.TreeFixture.join("t".getBytes(StandardCharsets.US_ASCII),
                        dev.sluice.engine.fs.TreeFixture.INVALID_UTF8), "x")
                .file("t/\u00fc", "valid utf-8 u-umlaut")
                .materialise(tmp);
        ProcessBuilder pb = new ProcessBuilder(java, "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED",
                "-cp", classes + File.pathSeparator + testClasses, WalkerMain.class.getName(), tmp.resolve("t").toString())
                .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG"));
        pb.environment().put("LANG", "C");
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        String t = tmp.resolve("t").toString();
        assertEquals(List.of(t + " DIRECTORY", t + "/bad-\\xff\\xfe REGULAR", t + "/\\xc3\\xbc REGULAR"),
                out.lines().toList());
    }

    private static boolean readableByOthers(Path dir) throws IOException {
        for (Path d = dir; d != null; d = d.getParent()) {
            int mode = (Integer) Files.getAttribute(d, "unix:mode");
            if ((mode & 05) != 05) {
                return false;
            }
        }
        return true;
    }
}
