package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The optional {@code retention:} block of a job. */
class RetentionConfigTest {
    private static final String HEAD = """
            global:
              host: h1
            jobs:
              - name: web
                paths: [/srv]
                repository: /backup
            """;

    private static SluiceConfig parse(String retention) throws ConfigException {
        return ConfigLoader.parse("test.yaml", HEAD + retention, Path.of("/etc/sluice"), "h1");
    }

    @Test
    void absentMeansNoRetention() throws Exception {
        assertNull(parse("").jobs().get(0).retention());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        RetentionSpec r = parse("""
                    retention:
                      keep_last: 3
                      keep_hourly: 24
                      keep_daily: 7
                      keep_weekly: 4
                      keep_monthly: 12
                      keep_yearly: 2
                      keep_within: 2d
                """).jobs().get(0).retention();
        assertEquals(new RetentionSpec(3, 24, 7, 4, 12, 2, Duration.ofDays(2)), r);
    }

    @Test
    void problemsNameFileLineColumnAndKeyPath() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                    retention:
                      keep_daily: -1
                      keep_weekly: many
                      keep_within: 3x
                      keep_montly: 2
                """));
        String m = e.getMessage();
        assertTrue(m.contains("test.yaml:8:19") && m.contains("jobs[0].retention.keep_daily"), m);
        assertTrue(m.contains("must not be negative"), m);
        assertTrue(m.contains("jobs[0].retention.keep_weekly") && m.contains("'many'"), m);
        assertTrue(m.contains("jobs[0].retention.keep_within") && m.contains("unknown unit 'x'"), m);
        assertTrue(m.contains("did you mean 'keep_monthly'?"), m);
    }

    @Test
    void aScheduleMakesTheDaemonPruneOnItsOwn() throws Exception {
        RetentionSpec r = parse("""
                    retention:
                      keep_daily: 7
                      schedule: "30 3 * * *"
                """).jobs().get(0).retention();
        assertEquals(ScheduleSpec.parse("30 3 * * *"), r.schedule());
        assertEquals(new RetentionSpec(0, 0, 7, 0, 0, 0, Duration.ZERO), parse("""
                    retention: {keep_daily: 7}
                """).jobs().get(0).retention(), "without schedule: manual");
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                    retention: {keep_daily: 7, schedule: daily 03:30}
                """));
        assertTrue(e.getMessage().contains("jobs[0].retention.schedule: invalid schedule 'daily 03:30'"),
                e.getMessage());
    }

    @Test
    void aBlockThatKeepsNothingIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                    retention:
                      keep_daily: 0
                """));
        assertTrue(e.getMessage().contains("jobs[0].retention") && e.getMessage().contains("keeps nothing"),
                e.getMessage());
    }
}
