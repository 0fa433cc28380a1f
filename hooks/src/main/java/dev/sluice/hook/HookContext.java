package dev.sluice.hook;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The job-level values every hook of one job run sees, checked so that nothing a peer sent can
 * smuggle a line break or NUL into a hook's environment.
 *
 * @param job              the job's name ({@code SLUICE_JOB}); not empty
 * @param snapshotId       the snapshot's id ({@code SLUICE_SNAPSHOT}), or the empty string when none is known yet
 * @param role             the side this host plays in the job ({@code SLUICE_ROLE})
 * @param dryRun           whether the job runs without writing ({@code SLUICE_DRY_RUN=1})
 * @param extraEnv         further variables the engine passes, e.g. {@code SLUICE_PEER}; every name must
 *                         match {@code SLUICE_[A-Z0-9_]+} and must not be one of the reserved names
 * @param workingDirectory the hooks' working directory; absolute
 * @param priority         the job's CPU and I/O priority, applied to its hooks
 */
public record HookContext(String job, String snapshotId, Role role, boolean dryRun,
                          Map<String, String> extraEnv, Path workingDirectory, Priority priority) {

    /** The side of a job a host plays. */
    public enum Role {
        SOURCE, SINK;

        /** The value of {@code SLUICE_ROLE}: {@code source} or {@code sink}. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Pattern EXTRA_NAME = Pattern.compile("SLUICE_[A-Z0-9_]+");

    public HookContext {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(snapshotId, "snapshotId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(extraEnv, "extraEnv");
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        Objects.requireNonNull(priority, "priority");
        if (job.isEmpty()) {
            throw new IllegalArgumentException("hook context: job name is empty");
        }
        requireSingleLine("job", job);
        requireSingleLine("snapshotId", snapshotId);
        if (!workingDirectory.isAbsolute()) {
            throw new IllegalArgumentException("hook context: working directory " + workingDirectory
                    + " is not absolute");
        }
        requireSingleLine("workingDirectory", workingDirectory.toString());
        Map<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : extraEnv.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "extraEnv name");
            String value = Objects.requireNonNull(e.getValue(), () -> "extraEnv " + name);
            if (!EXTRA_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("hook context: extra environment variable '"
                        + printable(name) + "' is not named SLUICE_[A-Z0-9_]+");
            }
            if (HookEnvironment.RESERVED.contains(name)) {
                throw new IllegalArgumentException("hook context: extra environment variable " + name
                        + " would override a variable sluice sets itself");
            }
            requireSingleLine("extraEnv " + name, value);
            copy.put(name, value);
        }
        extraEnv = java.util.Collections.unmodifiableMap(copy);
    }

    /** A context with no snapshot yet, no dry run, no extra variables and no priority change. */
    public static HookContext of(String job, Role role, Path workingDirectory) {
        return new HookContext(job, "", role, false, Map.of(), workingDirectory, Priority.NONE);
    }

    public HookContext withSnapshotId(String id) {
        return new HookContext(job, id, role, dryRun, extraEnv, workingDirectory, priority);
    }

    public HookContext withDryRun(boolean value) {
        return new HookContext(job, snapshotId, role, value, extraEnv, workingDirectory, priority);
    }

    public HookContext withExtraEnv(Map<String, String> env) {
        return new HookContext(job, snapshotId, role, dryRun, env, workingDirectory, priority);
    }

    public HookContext withPriority(Priority value) {
        return new HookContext(job, snapshotId, role, dryRun, extraEnv, workingDirectory, value);
    }

    /**
     * Rejects a value that contains a newline, carriage return or NUL.
     *
     * @throws IllegalArgumentException naming the field
     */
    static void requireSingleLine(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r' || c == '\0') {
                throw new IllegalArgumentException("hook value " + field + " contains a "
                        + (c == '\n' ? "newline" : c == '\r' ? "carriage return" : "NUL")
                        + " at index " + i + "; values passed to hooks must be single lines without NUL");
            }
        }
    }

    private static String printable(String s) {
        return s.replace("\n", "\\n").replace("\r", "\\r").replace("\0", "\\0");
    }
}
