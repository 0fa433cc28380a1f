package dev.sluice.transport.stdinserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ProcessPipes} in a child JVM whose stdin is a pipe: with the {@code --add-opens} the daemon's JAR has, the
 * pipe opens; without it, the open fails with a message that names the option (the stdinserver then refuses the
 * request, and the launcher falls back to the JVM that passes its descriptors over the socket).
 */
class ProcessPipesTest {

    private static String run(boolean opened) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        if (opened) {
            cmd.addAll(List.of("--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED"));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ProcessPipesMain.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end");
            assertEquals(0, p.exitValue(), out);
            return out;
        } finally {
            p.getOutputStream().close();
            p.destroyForcibly();
        }
    }

    @Test
    void aPipeOpensWithTheJarsAddOpens() throws Exception {
        assertEquals("opened", run(true));
    }

    @Test
    void withoutTheAddOpensTheErrorNamesTheOption() throws Exception {
        String out = run(false);
        assertTrue(out.contains("--add-opens java.base/sun.nio.fs=ALL-UNNAMED"), out);
    }
}
