package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice stdinserver ID} failures that do not need a daemon (a run with a daemon would
 * hand this test JVM's own stdout to it; the transports tests cover that through a real sshd).
 */
class StdinserverCommandTest {

    @Test
    void withoutADaemonSocketItExits255AndSaysWhy(@TempDir Path tmp) throws Exception {
        Files.createDirectory(tmp.resolve("stdinserver"));
        CliRun r = CliRun.of("stdinserver", "web-1", "--runtime-dir", tmp.toString());
        assertEquals(255, r.exit(), r.toString());
        assertTrue(r.err().contains("no stdinserver socket for client 'web-1' at "
                + tmp.resolve("stdinserver").resolve("web-1.sock")), r.toString());
        assertEquals("", r.out(), "stdout belongs to the link; the command must not write to it");
    }

    @Test
    void anInvalidIdentityIsAUsageError(@TempDir Path tmp) {
        CliRun r = CliRun.of("stdinserver", "../evil", "--runtime-dir", tmp.toString());
        assertEquals(ExitCode.USAGE, r.exit(), r.toString());
        CliRun none = CliRun.of("stdinserver", "--runtime-dir", tmp.toString());
        assertEquals(ExitCode.USAGE, none.exit(), none.toString());
        assertTrue(none.err().contains("give the client identity ID"), none.toString());
    }
}
