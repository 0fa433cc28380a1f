package dev.sluice.hook;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The exact environment a hook process gets: nothing inherited from the daemon, only the documented variables. */
public final class HookEnvironment {

    /** The {@code PATH} every hook gets, regardless of the daemon's own. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Names sluice sets itself; a context's extra variables may not use them. */
    public static final Set<String> RESERVED = Set.of("PATH", "HOME", "SLUICE_HOOK", "SLUICE_JOB",
            "SLUICE_SNAPSHOT", "SLUICE_ROLE", "SLUICE_DRY_RUN", "SLUICE_STATUS");

    private HookEnvironment() {
    }

    /**
     * The variables for one hook run, in a stable order.
     *
     * @param status the phase's status for points that take one ({@link HookPoint#takesStatus()}), else null
     */
    public static Map<String, String> of(HookPoint point, HookContext context, Integer status) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        env.put("HOME", System.getProperty("user.home"));
        env.put("SLUICE_HOOK", point.id());
        env.put("SLUICE_JOB", context.job());
        env.put("SLUICE_SNAPSHOT", context.snapshotId());
        env.put("SLUICE_ROLE", context.role().id());
        env.put("SLUICE_DRY_RUN", context.dryRun() ? "1" : "0");
        if (status != null) {
            env.put("SLUICE_STATUS", Integer.toString(status));
        }
        env.putAll(context.extraEnv());
        return env;
    }
}
