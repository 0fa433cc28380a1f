package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.ListenStdinSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** The stdinserver listener follows a reload's identities, also when it is started again later. */
class StdinSinkServiceTest {
    @TempDir
    Path tmp;

    @Test
    void theIdentitiesOfTheLastUpdateAreTheOnesAStartListensFor() throws Exception {
        Path runtime = Files.createDirectory(tmp.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path sockets = runtime.resolve(StdinSinkService.SOCKET_DIRECTORY);
        StdinSinkService service = StdinSinkService.of(new ListenStdinSpec(Set.of("web-1")), runtime,
                link -> Mono.empty(), "push");
        try {
            service.start();
            assertTrue(Files.exists(sockets.resolve("web-1.sock")));
            service.update(new ListenStdinSpec(Set.of("db-2")));
            assertTrue(Files.exists(sockets.resolve("db-2.sock")));
            assertFalse(Files.exists(sockets.resolve("web-1.sock")), "a gone identity keeps its socket");
            service.stop();
            assertFalse(Files.exists(sockets.resolve("db-2.sock")));
            service.start();
            assertTrue(Files.exists(sockets.resolve("db-2.sock")), "a later start listens for the updated identities");
            assertFalse(Files.exists(sockets.resolve("web-1.sock")));
        } finally {
            service.stop();
        }
    }
}
