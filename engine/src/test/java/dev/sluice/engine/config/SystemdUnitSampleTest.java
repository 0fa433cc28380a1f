package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sample systemd unit keeps the hardening and resource settings the daemon documentation promises. */
class SystemdUnitSampleTest {
    private static final Path UNIT = Path.of("..", "config-samples", "sluice.service");

    @Test
    void theUnitIsHardened() throws Exception {
        List<String> lines = Files.readAllLines(UNIT).stream().map(String::strip).toList();
        for (String required : List.of("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                "RuntimeDirectory=sluice", "RuntimeDirectoryMode=0700", "AmbientCapabilities=CAP_DAC_READ_SEARCH",
                "Nice=10", "IOSchedulingClass=idle", "ExecReload=/bin/kill -HUP $MAINPID", "KillSignal=SIGTERM",
                "CacheDirectory=sluice", "Environment=XDG_CACHE_HOME=/var/cache")) {
            assertTrue(lines.contains(required), "config-samples/sluice.service lacks the line " + required);
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("ExecStart=") && l.contains(" daemon -c ")),
                "the unit must start 'sluice daemon -c CONFIG'");
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("User=root")), "the daemon must not run as root");
    }
}
