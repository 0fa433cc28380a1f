package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsInitCommandTest {

    @Test
    void writesCaAndNodesWithPrivateKeys(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("pki");
        CliRun r = CliRun.of("tls", "init", "--dir", dir.toString(), "--ca-name", "backup-ca",
                "--node", "sink", "--node", "web-1", "--days", "30").expect(ExitCode.OK);
        assertTrue(r.out().contains("created node 'web-1'"), r.toString());
        for (String f : new String[] {"ca", "sink", "web-1"}) {
            assertTrue(Files.readString(dir.resolve(f + ".crt")).startsWith("-----BEGIN CERTIFICATE-----"));
            assertTrue(Files.readString(dir.resolve(f + ".key")).startsWith("-----BEGIN PRIVATE KEY-----"));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve(f + ".key"))));
        }
    }

    @Test
    void refusesToOverwriteAndBadNames(@TempDir Path tmp) {
        CliRun.of("tls", "init", "--dir", tmp.toString(), "--ca-name", "ca1", "--node", "a").expect(ExitCode.OK);
        CliRun again = CliRun.of("tls", "init", "--dir", tmp.toString(), "--ca-name", "ca1", "--node", "a");
        assertTrue(again.exit() != ExitCode.OK && again.err().contains("refusing to overwrite"), again.toString());
        CliRun bad = CliRun.of("tls", "init", "--dir", tmp.resolve("x").toString(), "--ca-name", "ca1",
                "--node", "../evil");
        assertTrue(bad.exit() != ExitCode.OK && bad.err().contains("not allowed"), bad.toString());
        assertTrue(!Files.exists(tmp.resolve("evil.crt")));
    }
}
