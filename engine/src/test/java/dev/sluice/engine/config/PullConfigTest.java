package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pull, reverse pull and ssh connect specs in the configuration, and their errors with file:line:key. */
class PullConfigTest {
    private static final Path BASE = Path.of("/cfg");

    private static SluiceConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("t.yaml", yaml, BASE, "test-host");
    }

    private static List<String> problems(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        return e.problems().stream().map(ConfigProblem::toString).collect(Collectors.toList());
    }

    static final String PULLED_SOURCE = """
            global:
              listen:
                tls: {address: 0.0.0.0:7443, ca: pki/ca.crt, cert: pki/web-1.crt, key: pki/web-1.key,
                      clients: {backup-1: backup-1}}
            jobs:
              - name: home
                paths: [/home]
                key_file: /etc/sluice/key
                repository: {pull: {sinks: [backup-1]}}
            """;

    @Test
    void aSourceJobPulledByItsSinkNeedsNoSinkRepository() throws ConfigException {
        SluiceConfig config = parse(PULLED_SOURCE);
        assertNull(config.global().sink());
        assertEquals(new PullRepositorySpec(Set.of("backup-1")), config.job("home").orElseThrow().repository());
    }

    @Test
    void aPullJobAtTheSinkDialsOverTls() throws ConfigException {
        SluiceConfig config = parse("""
                jobs:
                  - name: web-1-home
                    type: pull
                    source: {job: home, tls: {address: web-1:7443, server_name: web-1, ca: ca.crt, cert: b.crt,
                             key: b.key}}
                    repository: /srv/sluice/repo
                    schedule: every 1h
                    retention: {keep_last: 3}
                """);
        JobSpec job = config.job("web-1-home").orElseThrow();
        assertEquals(JobType.PULL, job.type());
        assertEquals(List.of(), job.paths());
        assertEquals(new PullSourceSpec("home", new TlsConnectSpec("web-1", 7443, "web-1", Path.of("/cfg/ca.crt"),
                Path.of("/cfg/b.crt"), Path.of("/cfg/b.key")), null, PullSourceSpec.DEFAULT_WAIT), job.source());
        assertEquals("web-1", job.source().peer());
        assertEquals(new LocalRepositorySpec(Path.of("/srv/sluice/repo")), job.repository());
    }

    @Test
    void aPullJobAtTheSinkDialsOverSsh() throws ConfigException {
        SluiceConfig config = parse("""
                jobs:
                  - name: web-1-home
                    type: pull
                    source:
                      job: home
                      ssh: {address: web-1, user: sluice, identity_file: id_ed25519,
                            options: [StrictHostKeyChecking=yes], identity: backup-1, peer: web-1}
                    repository: /srv/sluice/repo
                """);
        assertEquals(new SshConnectSpec("web-1", 22, "sluice", Path.of("/cfg/id_ed25519"),
                List.of("StrictHostKeyChecking=yes"), "backup-1", "web-1"),
                config.job("web-1-home").orElseThrow().source().connect());
    }

    @Test
    void aReversePullOnBothSides() throws ConfigException {
        SluiceConfig sink = parse("""
                global:
                  listen:
                    stdinserver: {clients: [web-1]}
                jobs:
                  - name: web-1-home
                    type: pull
                    source: {job: home, reverse: web-1, wait: 10m}
                    repository: /srv/sluice/repo
                """);
        PullSourceSpec source = sink.job("web-1-home").orElseThrow().source();
        assertEquals("web-1", source.reverse());
        assertEquals(Duration.ofMinutes(10), source.reverseWait());
        SluiceConfig src = parse("""
                jobs:
                  - name: home
                    paths: [/home]
                    key_file: key
                    repository:
                      reverse_pull:
                        ssh: {address: "backup-1:2222", user: sluice, identity_file: id, identity: web-1,
                              peer: backup-1}
                """);
        assertEquals(new ReversePullRepositorySpec(new SshConnectSpec("backup-1", 2222, "sluice", Path.of("/cfg/id"),
                List.of(), "web-1", "backup-1")), src.job("home").orElseThrow().repository());
    }

    @Test
    void aPushOverSsh() throws ConfigException {
        SluiceConfig config = parse("""
                jobs:
                  - name: home
                    paths: [/home]
                    key_file: key
                    repository:
                      sink:
                        ssh: {address: backup-1, user: sluice, identity_file: id, identity: web-1, peer: backup-1}
                """);
        assertEquals("sink ssh sluice@backup-1:22", config.job("home").orElseThrow().repository().describe());
    }

    @Test
    void bothTlsAndSshIsAnError() {
        assertEquals(List.of("t.yaml:7:9: jobs[0].repository.sink.ssh: set either tls or ssh, not both"),
                problems("""
                jobs:
                  - name: home
                    paths: [/home]
                    repository:
                      sink:
                        tls: {address: b:1, server_name: b, ca: c, cert: c, key: k}
                        ssh: {address: b, user: u, identity_file: i, identity: web-1, peer: b}
                """));
        assertEquals(List.of("t.yaml:5:46: jobs[0].source.ssh: set one of tls, ssh, not several"),
                problems("""
                jobs:
                  - name: p
                    type: pull
                    repository: /r
                    source: {job: home, tls: {address: b:1}, ssh: {address: b}}
                """));
    }

    @Test
    void missingSshKeysAreNamed() {
        assertEquals(List.of(
                "t.yaml:6:14: jobs[0].repository.sink.ssh.user: missing required key 'user' (a user name)",
                "t.yaml:6:14: jobs[0].repository.sink.ssh.identity_file: missing required key 'identity_file' (a path)",
                "t.yaml:6:14: jobs[0].repository.sink.ssh.peer: missing required key 'peer' (an identity)"),
                problems("""
                jobs:
                  - name: home
                    paths: [/home]
                    repository:
                      sink:
                        ssh: {address: b, identity: web-1}
                """));
    }

    @Test
    void anUnknownSinkIdentityIsNamedWhereItIsWritten() {
        assertEquals(List.of("t.yaml:9:43: jobs[0].repository.pull.sinks[1]: unknown identity 'backup-2': a sink"
                        + " that pulls this job must reach this machine's listener, but no certificate in"
                        + " global.listen.tls.clients maps to it and global.listen.stdinserver.clients does not list it"),
                problems(PULLED_SOURCE.replace("[backup-1]}}", "[backup-1, backup-2]}}")));
    }

    @Test
    void aReverseSourceNeedsAListener() {
        assertEquals(List.of("t.yaml:4:34: jobs[0].source.reverse: unknown identity 'web-1': the source of a reverse"
                        + " pull must reach this machine's listener, but no certificate in global.listen.tls.clients"
                        + " maps to it and global.listen.stdinserver.clients does not list it"),
                problems("""
                jobs:
                  - name: web-1-home
                    type: pull
                    source: {job: home, reverse: web-1}
                    repository: /srv/sluice/repo
                """));
    }

    @Test
    void aListenerNobodyUsesIsAnError() {
        assertEquals(List.of("t.yaml:2:3: global.sink: global.listen is set but nothing uses it: set global.sink (a"
                        + " sink's repository and its clients' jobs), global.mirror (mirror targets), a job pulled by a"
                        + " sink (repository: {pull: ...} or mirror: {pulled_by: ...}) or a reverse pull job (source:"
                        + " {reverse: ...} or mirror: {pull: {reverse: ...}})"),
                problems(PULLED_SOURCE.replace("{pull: {sinks: [backup-1]}}", "/srv/repo")));
    }

    @Test
    void pullJobShapeMistakes() {
        assertEquals(List.of(
                "t.yaml:4:12: jobs[0].paths: a pull job takes no paths; the source's job names them",
                "t.yaml:5:13: jobs[0].source: the source says neither how to reach it (tls or ssh) nor whose link"
                        + " to wait for (reverse); set one of them"),
                problems("""
                jobs:
                  - name: p
                    type: pull
                    paths: [/x]
                    source: {job: home}
                    repository: /r
                """));
        assertEquals(List.of("t.yaml:2:5: jobs[0].source: missing required key 'source' (a mapping with job and one"
                        + " of tls, ssh or reverse)"),
                problems("""
                jobs:
                  - name: p
                    type: pull
                    repository: /r
                """));
        assertEquals(List.of("t.yaml:5:13: jobs[0].source: only a pull job (type: pull) has a source"),
                problems("""
                jobs:
                  - name: p
                    paths: [/x]
                    repository: /r
                    source: {job: home, reverse: w}
                """));
        assertEquals(List.of("t.yaml:5:17: jobs[0].repository: a pull job keeps what it pulls in a local"
                        + " repository on this machine; give a path"),
                problems("""
                jobs:
                  - name: p
                    type: pull
                    source: {job: home, tls: {address: b:1, server_name: b, ca: c, cert: c, key: k}}
                    repository: {pull: {sinks: [x]}}
                """));
    }

    @Test
    void aPulledJobHasNoScheduleOfItsOwn() {
        assertEquals(List.of("t.yaml:10:15: jobs[0].schedule: a pulled job runs when its sink asks for it; schedule"
                        + " the sink's pull job instead"),
                problems(PULLED_SOURCE + "    schedule: every 1h\n"));
    }

    @Test
    void aPullJobTakesOnlySinkHooksAndItsOwnRateLimit() throws ConfigException {
        List<String> p = problems("""
                jobs:
                  - name: web-1-home
                    type: pull
                    source: {job: home, snapshot_rate_limit: 0/h, tls: {address: web-1:7443, server_name: web-1,
                             ca: ca.crt, cert: b.crt, key: b.key}}
                    repository: /srv/sluice/repo
                    hooks:
                      - {point: job.start, path: /bin/true}
                      - {point: snapshot.pre, path: /bin/true}
                """);
        assertEquals(2, p.size(), p.toString());
        assertEquals("t.yaml:4:46: jobs[0].source.snapshot_rate_limit: the snapshot rate limit must allow at least"
                + " 1/h", p.get(0));
        assertEquals("t.yaml:9:17: jobs[0].hooks[1].point: a pull job runs at the sink, where only job.start,"
                + " prune.post, job.end hooks run; 'snapshot.pre' runs at the source: configure it on the source's"
                + " job", p.get(1));
        SluiceConfig ok = parse("""
                jobs:
                  - name: web-1-home
                    type: pull
                    source: {job: home, snapshot_rate_limit: 4/h, reverse: web-1}
                    repository: /srv/sluice/repo
                    hooks: [{point: prune.post, path: /bin/true}]
                global:
                  listen: {stdinserver: {clients: [web-1]}}
                """);
        assertEquals(4, ok.job("web-1-home").orElseThrow().source().snapshotsPerHour());
    }
}
