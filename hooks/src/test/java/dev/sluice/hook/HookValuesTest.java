package dev.sluice.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HookValuesTest {

    private static final Path DIR = Path.of("/");

    @Test
    void pointsParseByNameAndListValidNamesOnError() {
        for (HookPoint p : HookPoint.values()) {
            assertEquals(p, HookPoint.of(p.id()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HookPoint.of("snapshot.before"));
        assertEquals("unknown hook point 'snapshot.before'; valid points are job.start, snapshot.pre, transfer.pre, "
                + "transfer.post, snapshot.post, prune.post, job.end", e.getMessage());
    }

    @Test
    void onErrorParses() {
        assertEquals(OnError.WARN, OnError.of("warn"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OnError.of("ignore")).getMessage().contains("abort, warn"));
    }

    @Test
    void valuesWithLineBreaksOrNulAreRejectedNamingTheField() {
        HookContext base = HookContext.of("nightly", HookContext.Role.SINK, DIR);
        assertMessage("job", () -> HookContext.of("night\nly", HookContext.Role.SINK, DIR));
        assertMessage("snapshotId", () -> base.withSnapshotId("s\r1"));
        assertMessage("extraEnv SLUICE_PEER", () -> base.withExtraEnv(Map.of("SLUICE_PEER", "evil\0name")));
        assertMessage("point argument 1", () -> new HookInput(List.of("a\nb"), null, null));
        assertMessage("argument 1 of hook", () -> HookDefinition.of(HookPoint.JOB_START, Path.of("/bin/true"),
                Duration.ofSeconds(1), "x\0"));
    }

    @Test
    void extraEnvironmentCannotOverrideOrEscapeTheNamespace() {
        HookContext base = HookContext.of("nightly", HookContext.Role.SINK, DIR);
        assertThrows(IllegalArgumentException.class, () -> base.withExtraEnv(Map.of("LD_PRELOAD", "/x.so")));
        assertThrows(IllegalArgumentException.class, () -> base.withExtraEnv(Map.of("SLUICE_JOB", "other")));
        assertEquals(Map.of("SLUICE_PEER", "db1"), base.withExtraEnv(Map.of("SLUICE_PEER", "db1")).extraEnv());
    }

    @Test
    void definitionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> HookDefinition.of(HookPoint.JOB_START, Path.of("hook.sh"),
                Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> HookDefinition.of(HookPoint.JOB_START, Path.of("/bin/true"),
                Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> HookContext.of("j", HookContext.Role.SOURCE, Path.of("rel")));
    }

    @Test
    void priorityBuildsTheArgvPrefix() {
        assertEquals(List.of(), Priority.NONE.argvPrefix());
        List<String> prefix = new Priority(10, Priority.IoClass.BEST_EFFORT, 7).argvPrefix();
        assertEquals(List.of("-c", "2", "-n", "7"), prefix.subList(1, 5));
        assertTrue(prefix.get(0).endsWith("/ionice"));
        assertTrue(prefix.get(5).endsWith("/nice"));
        assertEquals(List.of("-n", "10"), prefix.subList(6, 8));
        assertEquals(List.of("-c", "3"), new Priority(null, Priority.IoClass.IDLE, null).argvPrefix().subList(1, 3));
        assertThrows(IllegalArgumentException.class, () -> new Priority(20, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Priority(null, null, 3));
        assertThrows(IllegalArgumentException.class, () -> new Priority(null, Priority.IoClass.IDLE, 3));
        assertThrows(IllegalArgumentException.class, () -> new Priority(null, Priority.IoClass.BEST_EFFORT, 8));
    }

    private static void assertMessage(String field, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
