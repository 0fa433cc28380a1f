package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball {@code mvn package} makes (docs/install.md), installed as a user would: unpacked with the real
 * {@code tar}, the launcher linked into a bin directory, and the embedded default job run through that link.
 */
class DistributionIT {

    @TempDir
    Path dir;

    @Test
    void theUnpackedTarballRunsTheQuickstartThroughALinkedLauncher() throws Exception {
        Path opt = Files.createDirectories(dir.resolve("opt"));
        Process tar = new ProcessBuilder("tar", "-xzf", SluiceProcess.dist().toString(), "-C", opt.toString())
                .redirectErrorStream(true).start();
        String tarOut = new String(tar.getInputStream().readAllBytes());
        assertTrue(tar.waitFor(2, TimeUnit.MINUTES) && tar.exitValue() == 0, "tar failed: " + tarOut);

        Path home = opt.resolve("sluice-" + System.getProperty("sluice.version"));
        for (String f : List.of("sluice", "sluice.jar", "sluice.service", "README.md", "config-samples/minimal.yaml",
                "config-samples/mirror-tls-joiner.yaml", "docs/install.md", "docs/launcher.md")) {
            assertTrue(Files.isRegularFile(home.resolve(f)), "the tarball lacks " + f);
        }
        Set<PosixFilePermission> launcher = Files.getPosixFilePermissions(home.resolve("sluice"));
        assertTrue(launcher.containsAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_EXECUTE)), "the launcher is not executable: " + launcher);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ),
                Files.getPosixFilePermissions(home.resolve("sluice.jar")));
        // the unit in the tarball starts the launcher where docs/install.md puts it
        assertTrue(Files.readAllLines(home.resolve("sluice.service")).contains(
                "ExecStart=/opt/sluice/sluice daemon -c /etc/sluice/sluice.yaml"));

        // linked into a bin directory: the launcher finds the jar beside its real location
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("sluice"), home.resolve("sluice"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"),
                "XDG_CACHE_HOME", dir.resolve("cache").toString());
        CliRun version = SluiceProcess.run(env, List.of(bin.resolve("sluice").toString(), "--version"),
                dir.resolve("log-version"), 2);
        assertEquals(0, version.exit(), version.err());
        assertTrue(version.out().startsWith("sluice "), version.out());

        CliRun quick = SluiceProcess.run(env, List.of(bin.resolve("sluice").toString(), "quickstart", "--dir",
                work.resolve("qs").toString()), dir.resolve("log-quickstart"), 5);
        assertEquals(0, quick.exit(), quick.out() + quick.err());
        Path sample = work.resolve("qs/sample").toAbsolutePath();
        // restore latest --target DIR/restore puts the tree under its absolute path
        Path restored = work.resolve("qs/restore").resolve(sample.toString().substring(1));
        // the embedded job excludes *.tmp: the sample has one, the restore must not
        assertTrue(Files.deleteIfExists(sample.resolve("scratch.tmp")), "the sample's excluded file");
        assertFalse(Files.exists(restored.resolve("scratch.tmp")));
        // (deleting it moved the sample root's mtime: the root's own metadata is left out)
        TreeAssert.assertSameTree(sample, restored, TreeAssert.Options.defaults().withRoot(false));
    }
}
