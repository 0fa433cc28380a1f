package dev.sluice.engine.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This machine's host name, read from the kernel without a DNS lookup. */
final class HostName {
    private HostName() {}

    static String local() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException e) {
            // Not Linux, or /proc not mounted: fall through to the environment.
            return fallback();
        }
        return fallback();
    }

    private static String fallback() {
        String env = System.getenv("HOSTNAME");
        return env == null || env.isBlank() ? "localhost" : env;
    }
}
