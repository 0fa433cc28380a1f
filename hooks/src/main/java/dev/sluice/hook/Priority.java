package dev.sluice.hook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's CPU ({@code nice}) and I/O ({@code ionice}) priority, applied to a hook by prefixing its
 * argv with {@code ionice -c C [-n N]} and {@code nice -n N}; either part may be absent.
 *
 * @param nice    the niceness adjustment, -20..19, or null to leave it unchanged
 * @param ioClass the I/O scheduling class, or null to leave it unchanged
 * @param ioLevel the level within {@link IoClass#REALTIME} or {@link IoClass#BEST_EFFORT}, 0 (highest)
 *                to 7, or null for the kernel's default
 */
public record Priority(Integer nice, IoClass ioClass, Integer ioLevel) {

    /** No change to CPU or I/O priority. */
    public static final Priority NONE = new Priority(null, null, null);

    /** The I/O scheduling classes of {@code ionice -c}. */
    public enum IoClass {
        REALTIME(1), BEST_EFFORT(2), IDLE(3);

        private final int number;

        IoClass(int number) {
            this.number = number;
        }

        /** The number {@code ionice -c} takes. */
        public int number() {
            return number;
        }
    }

    public Priority {
        if (nice != null && (nice < -20 || nice > 19)) {
            throw new IllegalArgumentException("priority: nice " + nice + " is outside -20..19");
        }
        if (ioLevel != null) {
            if (ioClass == null) {
                throw new IllegalArgumentException("priority: ionice level " + ioLevel + " given without an ionice class");
            }
            if (ioClass == IoClass.IDLE) {
                throw new IllegalArgumentException("priority: the idle ionice class takes no level, but level "
                        + ioLevel + " was given");
            }
            if (ioLevel < 0 || ioLevel > 7) {
                throw new IllegalArgumentException("priority: ionice level " + ioLevel + " is outside 0..7");
            }
        }
    }

    /**
     * The words to put in front of a hook's argv; empty when nothing is set. The binaries are looked up
     * in the hooks' default {@code PATH} directories.
     *
     * @throws IllegalStateException naming the binary when {@code nice} or {@code ionice} is needed but
     *                               not found
     */
    public List<String> argvPrefix() {
        List<String> prefix = new ArrayList<>();
        if (ioClass != null) {
            prefix.add(locate("ionice").toString());
            prefix.add("-c");
            prefix.add(Integer.toString(ioClass.number()));
            if (ioLevel != null) {
                prefix.add("-n");
                prefix.add(Integer.toString(ioLevel));
            }
        }
        if (nice != null) {
            prefix.add(locate("nice").toString());
            prefix.add("-n");
            prefix.add(Integer.toString(nice));
        }
        return List.copyOf(prefix);
    }

    /** Finds a system binary in the hooks' default PATH directories. */
    static Path locate(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException("the job's priority needs '" + name
                + "', but no executable of that name is in " + HookEnvironment.DEFAULT_PATH));
    }

    static java.util.Optional<Path> find(String name) {
        for (String dir : HookEnvironment.DEFAULT_PATH.split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }
}
