package dev.sluice.hook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/** Writes executable /bin/sh scripts into a test directory and inspects processes through /proc. */
final class HookScripts {

    private final Path dir;

    HookScripts(Path dir) {
        this.dir = dir;
    }

    /** Writes {@code #!/bin/sh} plus the body to NAME and makes it executable. */
    Path script(String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /** True while the process exists and is not a zombie (state read from /proc, independent of the runner). */
    static boolean running(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits (bounded) for a process to be gone; returns whether it is. Not a timing assertion. */
    static boolean gone(long pid) throws InterruptedException {
        for (int i = 0; i < 250 && running(pid); i++) {
            Thread.sleep(20);
        }
        return !running(pid);
    }
}
