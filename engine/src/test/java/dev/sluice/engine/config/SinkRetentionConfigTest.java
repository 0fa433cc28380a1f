package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A sink's retention per client identity and job: {@code global.sink.clients.ID.retention} (every job of the
 * identity), {@code global.sink.clients.ID.job_retention.JOB} (one job, replacing it) and
 * {@code global.sink.prune_schedule}.
 */
class SinkRetentionConfigTest {
    private static final String SINK = """
            global:
              listen:
                stdinserver:
                  clients: [web-1, db-1, laptop]
              sink:
                repository: /srv/sluice/repo
                prune_schedule: "15 4 * * *"
                clients:
                  web-1:
                    jobs: [home, etc]
                    retention: {keep_daily: 7, keep_weekly: 4}
                    job_retention:
                      etc: {keep_last: 2}
                  db-1:
                    jobs: [pg]
                    job_retention: {pg: {keep_hourly: 48}}
                  laptop: {jobs: [home]}
            """;

    private static SluiceConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("t.yaml", yaml, Path.of("/cfg"), "test-host");
    }

    private static List<String> problems(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        return e.problems().stream().map(ConfigProblem::toString).collect(Collectors.toList());
    }

    @Test
    void policiesPerIdentityAndJob() throws ConfigException {
        SinkSpec sink = parse(SINK).global().sink();
        RetentionSpec weekly = new RetentionSpec(0, 0, 7, 4, 0, 0, Duration.ZERO);
        assertEquals(Map.of(
                "web-1", Map.of("home", weekly, "etc", new RetentionSpec(2, 0, 0, 0, 0, 0, Duration.ZERO)),
                "db-1", Map.of("pg", new RetentionSpec(0, 48, 0, 0, 0, 0, Duration.ZERO))), sink.retention());
        assertEquals(weekly, sink.retentionOf("web-1", "home"));
        assertNull(sink.retentionOf("laptop", "home"), "no policy: the sink keeps everything");
        assertNull(sink.retentionOf("db-1", "home"));
        assertEquals(ScheduleSpec.parse("15 4 * * *"), sink.pruneSchedule());
    }

    @Test
    void withoutPoliciesOrScheduleNothingIsPruned() throws ConfigException {
        SinkSpec sink = parse("""
                global:
                  listen: {stdinserver: {clients: [web-1]}}
                  sink:
                    repository: /srv/sluice/repo
                    clients: {web-1: {jobs: [home]}}
                """).global().sink();
        assertEquals(Map.of(), sink.retention());
        assertEquals(ScheduleSpec.MANUAL, sink.pruneSchedule());
    }

    @Test
    void aPruneScheduleNeedsAPolicy() {
        assertEquals(List.of("t.yaml:6:21: global.sink.prune_schedule: prune_schedule is set but no client has a"
                + " retention policy, so there is nothing to prune; give a client 'retention' or 'job_retention'"),
                problems("""
                global:
                  listen: {stdinserver: {clients: [web-1]}}
                  sink:
                    repository: /srv/sluice/repo
                    clients: {web-1: {jobs: [home]}}
                    prune_schedule: every 1d
                """));
    }

    @Test
    void mistakesNameTheirPlace() {
        assertEquals(List.of(
                "t.yaml:7:21: global.sink.prune_schedule: invalid schedule 'daily'; expected 'manual', 'every"
                        + " DURATION' (like every 1h) or five cron fields 'MIN HOUR DAY MONTH WEEKDAY' (like 30 3 * * *),"
                        + " optionally followed by 'jitter DURATION'",
                "t.yaml:11:52: global.sink.clients.web-1.retention.schedule: unknown key 'schedule'; known keys here:"
                        + " keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_yearly, keep_within",
                "t.yaml:13:11: global.sink.clients.web-1.job_retention.www: job 'www' is not in this client's jobs"
                        + " (home, etc); a policy needs a job it may push",
                "t.yaml:16:29: global.sink.clients.db-1.job_retention.pg: the retention block keeps nothing, so"
                        + " prune would forget every snapshot; set at least one of keep_last, keep_hourly, keep_daily,"
                        + " keep_weekly, keep_monthly, keep_yearly or keep_within (or remove the block to keep"
                        + " everything)"),
                problems(SINK.replace("\"15 4 * * *\"", "daily").replace("keep_weekly: 4}", "keep_weekly: 4,"
                        + " schedule: every 1d}").replace("etc: {keep_last: 2}", "www: {keep_last: 2}")
                        .replace("keep_hourly: 48", "keep_hourly: 0")));
    }
}
