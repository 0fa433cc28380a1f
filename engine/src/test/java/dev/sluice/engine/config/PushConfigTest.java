package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The keys of a push over mutual TLS: a job's {@code repository.sink.tls}, and the sink's listener and clients. */
class PushConfigTest {

    private static final Path BASE = Path.of("/cfg");

    private static final String SINK = """
            global:
              listen:
                tls:
                  address: 0.0.0.0:7443
                  ca: pki/ca.crt
                  cert: pki/sink.crt
                  key: pki/sink.key
                  clients: {web-1: web-1, db-1.example: db-1}
              sink:
                repository: /srv/sluice/repo
                clients:
                  web-1: {jobs: [home, etc]}
                  db-1: {jobs: [pg]}
                snapshot_rate_limit: 12/h
            """;

    private static SluiceConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("t.yaml", yaml, BASE, "test-host");
    }

    private static List<String> problems(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        return e.problems().stream().map(ConfigProblem::toString).collect(Collectors.toList());
    }

    @Test
    void aJobPushesToATlsSink() throws ConfigException {
        SluiceConfig config = parse("""
                jobs:
                  - name: home
                    paths: [/home]
                    key_file: /etc/sluice/key
                    repository:
                      sink:
                        tls: {address: backup.example:7443, server_name: sink, ca: pki/ca.crt,
                              cert: pki/web-1.crt, key: /etc/sluice/pki/web-1.key}
                """);
        JobSpec job = config.job("home").orElseThrow();
        assertEquals(new SinkRepositorySpec(new TlsConnectSpec("backup.example", 7443, "sink", Path.of("/cfg/pki/ca.crt"),
                Path.of("/cfg/pki/web-1.crt"), Path.of("/etc/sluice/pki/web-1.key"))), job.repository());
        assertEquals("sink tls backup.example:7443", job.repository().describe());
        assertNull(config.global().sink());
        assertNull(config.global().listenTls());
    }

    @Test
    void aSinkWithoutJobsOfItsOwn() throws ConfigException {
        SluiceConfig config = parse(SINK);
        assertEquals(List.of(), config.jobs());
        assertEquals(new ListenTlsSpec("0.0.0.0", 7443, Path.of("/cfg/pki/ca.crt"), Path.of("/cfg/pki/sink.crt"),
                Path.of("/cfg/pki/sink.key"), Map.of("web-1", "web-1", "db-1.example", "db-1")),
                config.global().listenTls());
        assertEquals(new SinkSpec(Path.of("/srv/sluice/repo"),
                Map.of("web-1", Set.of("home", "etc"), "db-1", Set.of("pg")), 12), config.global().sink());
    }

    @Test
    void theRateLimitHasADefault() throws ConfigException {
        SluiceConfig config = parse(SINK.replace("    snapshot_rate_limit: 12/h\n", ""));
        assertEquals(SinkSpec.DEFAULT_SNAPSHOTS_PER_HOUR, config.global().sink().snapshotsPerHour());
    }

    @Test
    void sinkMistakesNameTheirPlace() {
        assertEquals(List.of(
                "t.yaml:4:7: global.listen.tls.adress: unknown key 'adress'; did you mean 'address'?",
                "t.yaml:12:28: global.sink.clients.web-1.jobs[1]: invalid job name 'bad name'; expected 1 to 64"
                        + " letters, digits, '.', '-' or '_', starting with a letter or digit, for example home-daily",
                "t.yaml:14:26: global.sink.snapshot_rate_limit: invalid snapshot rate limit '12 per hour'; expected"
                        + " snapshots per hour like 60/h"),
                problems(SINK.replace("address:", "adress:").replace("etc]", "bad name]")
                        .replace("12/h", "12 per hour")));
    }

    @Test
    void aSinkIdentityNeedsACertificate() {
        assertEquals(List.of("t.yaml:10:5: global.sink.clients.db-1: identity 'db-1' is not given to any"
                + " certificate in global.listen.tls.clients nor listed in global.listen.stdinserver.clients"),
                problems(SINK.replace(", db-1.example: db-1}", "}")));
    }

    @Test
    void aSinkNeedsAListener() {
        String sinkOnly = SINK.substring(SINK.indexOf("  sink:"));
        assertEquals(List.of("t.yaml:2:3: global.listen: global.sink is set but neither global.listen.tls nor"
                + " global.listen.stdinserver is; a sink needs a listener"), problems("global:\n" + sinkOnly));
    }

    private static final String STDIN_SINK = """
            global:
              listen:
                stdinserver: {clients: [web-1, db-1]}
              sink:
                repository: /srv/sluice/repo
                clients:
                  web-1: {jobs: [home]}
                  db-1: {jobs: [pg]}
            """;

    @Test
    void aSinkListeningOnlyThroughStdinserver() throws ConfigException {
        SluiceConfig config = parse(STDIN_SINK);
        assertNull(config.global().listenTls());
        assertEquals(new ListenStdinSpec(Set.of("web-1", "db-1")), config.global().listenStdin());
        assertEquals(Set.of("web-1", "db-1"), config.global().sink().clients().keySet());
    }

    @Test
    void bothListenersTogether() throws ConfigException {
        SluiceConfig config = parse(SINK.replace("    tls:\n", "    stdinserver: {clients: [web-1]}\n    tls:\n"));
        assertEquals(new ListenStdinSpec(Set.of("web-1")), config.global().listenStdin());
        assertEquals(2, config.global().listenTls().clients().size());
    }

    @Test
    void aStdinserverIdentityNeedsSinkJobs() {
        assertEquals(List.of("t.yaml:3:42: global.listen.stdinserver.clients[2]: identity 'app-3' is not listed in"
                + " global.sink.clients or global.mirror.clients nor used by a pull job; give it the jobs it may push"),
                problems(STDIN_SINK.replace("db-1]}", "db-1, app-3]}")));
    }

    @Test
    void stdinserverMistakesNameTheirPlace() {
        assertEquals(List.of("t.yaml:3:29: global.listen.stdinserver.clients[0]: invalid identity 'web 1'; expected"
                + " letters, digits, '.', '-' and '_'"),
                problems(STDIN_SINK.replace("[web-1,", "[web 1,")));
        assertEquals(List.of("t.yaml:3:28: global.listen.stdinserver.clients: the list is empty; expected a list of"
                + " client identities with at least one item"),
                problems(STDIN_SINK.replace("[web-1, db-1]", "[]")));
        assertEquals(List.of("t.yaml:3:19: global.listen.stdinserver.client: unknown key 'client'; did you mean"
                + " 'clients'?"),
                problems(STDIN_SINK.replace("{clients:", "{client:")));
    }

    @Test
    void aSinkIdentityNeedsSomeListener() {
        assertEquals(List.of("t.yaml:5:5: global.sink.clients.db-1: identity 'db-1' is not given to any"
                + " certificate in global.listen.tls.clients nor listed in global.listen.stdinserver.clients"),
                problems(STDIN_SINK.replace("[web-1, db-1]", "[web-1]")));
    }

    @Test
    void tlsSinkMistakesNameTheirPlace() {
        assertEquals(List.of(
                "t.yaml:6:14: jobs[0].repository.sink.tls.server_name: missing required key 'server_name' (an identity)",
                "t.yaml:6:24: jobs[0].repository.sink.tls.address: invalid address 'backup.example'; expected"
                        + " HOST:PORT like backup.example.org:7443 (port 1 to 65535)",
                "t.yaml:6:69: jobs[0].repository.sink.tls.keyy: unknown key 'keyy'; did you mean 'key'?"),
                problems("""
                jobs:
                  - name: home
                    paths: [/home]
                    repository:
                      sink:
                        tls: {address: backup.example, ca: ca.crt, cert: web-1.crt, keyy: web-1.key}
                """));
    }
}
