package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The keys of a mirror job ({@code type: mirror}, {@code mirror:}) and of a mirror receiver ({@code global.mirror}). */
class MirrorConfigTest {
    private static final Path BASE = Path.of("/cfg");

    private static SluiceConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("t.yaml", yaml, BASE, "test-host");
    }

    private static List<String> problems(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        return e.problems().stream().map(ConfigProblem::toString).collect(Collectors.toList());
    }

    @Test
    void aLocalMirrorJobWithDefaults() throws ConfigException {
        JobSpec job = parse("""
                jobs:
                  - name: www
                    type: mirror
                    paths: [/srv/www]
                    mirror: {directory: mirror/www}
                """).job("www").orElseThrow();
        assertEquals(JobType.MIRROR, job.type());
        assertEquals(new MirrorJobSpec(Path.of("/cfg/mirror/www"), null, null, "in-place", true, false, false, 0),
                job.repository());
    }

    @Test
    void aMirrorJobPushedOverTlsWithEveryKey() throws ConfigException {
        JobSpec job = parse("""
                jobs:
                  - name: datadir
                    type: mirror
                    paths: [/var/lib/mysql]
                    exclude: ['*.pid']
                    mirror:
                      target: datadir
                      layout: snapshots
                      delete: false
                      delete_excluded: true
                      fake_super: true
                      keep_snapshots: 5
                      tls: {address: joiner.example:7444, server_name: joiner, ca: pki/ca.crt,
                            cert: pki/donor.crt, key: pki/donor.key, insecure_skip_verify: true}
                """).job("datadir").orElseThrow();
        MirrorJobSpec m = (MirrorJobSpec) job.repository();
        assertEquals(new MirrorJobSpec(null, "datadir", new TlsConnectSpec("joiner.example", 7444, "joiner",
                Path.of("/cfg/pki/ca.crt"), Path.of("/cfg/pki/donor.crt"), Path.of("/cfg/pki/donor.key"), true),
                "snapshots", false, true, true, 5), m);
        assertEquals("mirror tls joiner.example:7444 target datadir", m.describe());
    }

    @Test
    void aMisspeltRequiredMirrorKeyIsAProblemNotACrash() {
        List<String> push = problems("""
                jobs:
                  - name: m
                    type: mirror
                    paths: [/a]
                    mirror:
                      targetx: www
                      tls: {address: 'h:1', server_name: j, ca: c, cert: c, key: k}
                """);
        assertEquals(1, push.size(), push.toString());
        assertTrue(push.get(0).startsWith("t.yaml:6:7: jobs[0].mirror.targetx: unknown key"), push.get(0));
        List<String> pull = problems("""
                jobs:
                  - name: m
                    type: mirror
                    mirror:
                      directoryx: /m
                      pull: {job: j, tls: {address: 'h:1', server_name: j, ca: c, cert: c, key: k}}
                """);
        assertEquals(1, pull.size(), pull.toString());
        assertTrue(pull.get(0).contains("jobs[0].mirror.directoryx: unknown key"), pull.get(0));
    }

    @Test
    void mirrorBlockProblems() {
        assertEquals(List.of("t.yaml:2:5: jobs[0].mirror: missing required key 'mirror' (a mapping with directory (or"
                + " tls and target) and layout)"), problems("""
                jobs:
                  - name: m
                    type: mirror
                    paths: [/a]
                """));
        assertEquals(List.of("t.yaml:5:37: jobs[0].mirror.layout: unknown value 'rolling'; expected one of in-place,"
                + " snapshots"), problems("""
                jobs:
                  - name: m
                    type: mirror
                    paths: [/a]
                    mirror: {directory: /m, layout: rolling}
                """));
        assertTrue(problems("""
                jobs:
                  - name: m
                    type: mirror
                    paths: [/a]
                    mirror:
                      tls: {address: 'h:1', server_name: j, ca: c, cert: c, key: k}
                """).get(0).contains("jobs[0].mirror.target: missing required key 'target'"));
        assertTrue(problems("""
                jobs:
                  - name: m
                    type: mirror
                    paths: [/a]
                    repository: /r
                    mirror: {directory: /m}
                """).get(0).contains("a mirror job has no repository"));
        assertTrue(problems("""
                jobs:
                  - name: b
                    paths: [/a]
                    repository: /r
                    mirror: {directory: /m}
                """).get(0).contains("'mirror' belongs to jobs of type mirror"));
        assertTrue(problems("""
                jobs:
                  - name: m
                    type: mirror
                    paths: [/a]
                    mirror: {directory: /m, insecure: true}
                """).get(0).contains("unknown key 'insecure'"));
    }

    @Test
    void aReceiverWithoutJobsOrSink() throws ConfigException {
        SluiceConfig config = parse("""
                global:
                  listen:
                    tls: {address: 0.0.0.0:7444, ca: pki/ca.crt, cert: pki/joiner.crt, key: pki/joiner.key,
                          clients: {donor: donor}}
                  mirror:
                    clients:
                      donor: {targets: {datadir: /var/lib/mysql, www: www}}
                """);
        assertNull(config.global().sink());
        assertEquals(new MirrorReceiverSpec(Map.of("donor", Map.of("datadir", Path.of("/var/lib/mysql"),
                "www", Path.of("/cfg/www")))), config.global().mirror());
        assertEquals(List.of(), config.jobs());
    }

    @Test
    void aReceiverNeedsAListenerAndTargets() {
        assertTrue(problems("""
                global:
                  mirror:
                    clients:
                      donor: {targets: {datadir: /d}}
                """).get(0).contains("global.mirror is set but neither global.listen.tls nor"));
        assertTrue(problems("""
                global:
                  listen:
                    stdinserver: {clients: [donor]}
                  mirror:
                    clients:
                      donor: {targets: {}}
                """).get(0).contains("no target is listed"));
    }

    @Test
    void aMirrorPushedOverSshUsesTheSameSshSpecAsBackups() throws ConfigException {
        MirrorJobSpec m = (MirrorJobSpec) parse("""
                jobs:
                  - name: www
                    type: mirror
                    paths: [/srv/www]
                    mirror:
                      target: www
                      ssh: {address: mirror.example, user: sluice, identity_file: ssh/id, identity: db-1,
                            peer: mirror-1}
                """).job("www").orElseThrow().repository();
        assertEquals(new SshConnectSpec("mirror.example", 22, "sluice", Path.of("/cfg/ssh/id"), List.of(), "db-1",
                "mirror-1"), m.connect());
        assertEquals("mirror ssh sluice@mirror.example:22 target www", m.describe());
    }

    @Test
    void pulledAndPullingMirrorJobs() throws ConfigException {
        SluiceConfig sender = parse("""
                global:
                  listen: {stdinserver: {clients: [joiner]}}
                jobs:
                  - name: datadir
                    type: mirror
                    paths: [/var/lib/mysql]
                    mirror: {pulled_by: [joiner], source_fake_super: true}
                """);
        MirrorJobSpec pulled = (MirrorJobSpec) sender.job("datadir").orElseThrow().repository();
        assertEquals(java.util.Set.of("joiner"), pulled.pulledBy());
        assertTrue(pulled.pulled() && pulled.sourceFakeSuper());

        JobSpec receiver = parse("""
                jobs:
                  - name: copy
                    type: mirror
                    mirror:
                      pull: {job: datadir, tls: {address: 'donor:7444', server_name: donor, ca: c, cert: c, key: k,
                             insecure_skip_verify: true}}
                      directory: /srv/copy
                      layout: snapshots
                """).job("copy").orElseThrow();
        MirrorJobSpec pull = (MirrorJobSpec) receiver.repository();
        assertEquals(List.of(), receiver.paths());
        assertEquals("datadir", pull.pull().job());
        assertTrue(((TlsConnectSpec) pull.pull().connect()).insecureSkipVerify());
        assertEquals(Path.of("/srv/copy"), pull.directory());
    }

    @Test
    void directionProblemsNameFileLineAndKey() {
        assertEquals(List.of("t.yaml:5:26: jobs[0].mirror.pulled_by[0]: unknown identity 'joiner': a receiver that"
                + " pulls this mirror job must reach this machine's listener, but no certificate in"
                + " global.listen.tls.clients maps to it and global.listen.stdinserver.clients does not list it"),
                problems("""
                jobs:
                  - name: datadir
                    type: mirror
                    paths: [/a]
                    mirror: {pulled_by: [joiner]}
                """));
        assertTrue(problems("""
                global:
                  listen: {stdinserver: {clients: [joiner]}}
                jobs:
                  - name: datadir
                    type: mirror
                    paths: [/a]
                    mirror: {pulled_by: [joiner], layout: snapshots}
                """).get(0).contains("jobs[0].mirror.layout: a mirror job its receiver pulls leaves layout to the"
                + " receiver"));
        assertTrue(problems("""
                global:
                  listen: {stdinserver: {clients: [joiner]}}
                jobs:
                  - name: datadir
                    type: mirror
                    paths: [/a]
                    schedule: every 1h
                    mirror: {pulled_by: [joiner]}
                """).get(0).contains("jobs[0].schedule: a pulled job runs when its sink asks for it"));
        assertTrue(problems("""
                jobs:
                  - name: copy
                    type: mirror
                    paths: [/a]
                    mirror: {pull: {job: d, reverse: donor}, directory: /c}
                """).stream().anyMatch(p -> p.contains("jobs[0].paths: a mirror pull job takes no paths")));
        assertTrue(problems("""
                jobs:
                  - name: copy
                    type: mirror
                    mirror: {pull: {job: d, ssh: {address: h, user: u, identity_file: i, identity: a, peer: b}}}
                """).get(0).contains("jobs[0].mirror.directory: missing required key 'directory'"));
        assertTrue(problems("""
                jobs:
                  - name: m
                    type: mirror
                    paths: [/a]
                    mirror: {directory: /m, tls: {address: 'h:1', server_name: j, ca: c, cert: c, key: k}}
                """).get(0).contains("set one of directory, tls, not several"));
        assertTrue(problems("""
                jobs:
                  - name: b
                    paths: [/a]
                    repository: {sink: {tls: {address: 'h:1', server_name: j, ca: c, cert: c, key: k,
                                 insecure_skip_verify: true}}}
                """).get(0).contains("unknown key 'insecure_skip_verify'"), "only mirror jobs may skip verification");
    }

    @Test
    void hooksAMirrorSideNeverRunsAreErrors() {
        assertTrue(problems("""
                jobs:
                  - name: m
                    type: mirror
                    paths: [/a]
                    mirror: {directory: /m}
                    hooks: [{point: prune.post, path: /bin/true}]
                """).get(0).contains("jobs[0].hooks[0].point: a mirror job runs no prune.post hooks"));
        assertTrue(problems("""
                jobs:
                  - name: copy
                    type: mirror
                    mirror: {pull: {job: d, ssh: {address: h, user: u, identity_file: i, identity: a, peer: b}},
                             directory: /c}
                    hooks: [{point: snapshot.pre, path: /bin/true}]
                """).get(0).contains("runs hooks at job.start and job.end only"));
    }

    @Test
    void aMisplacedMirrorHookIsReportedAtItsOwnIndexAfterABrokenOne() {
        List<String> found = problems("""
                jobs:
                  - name: m
                    type: mirror
                    paths: [/a]
                    mirror: {directory: /m}
                    hooks:
                      - {point: job.start}
                      - {point: job.end, path: /bin/true}
                      - {point: prune.post, path: /bin/true}
                """);
        assertEquals(2, found.size(), found.toString());
        assertTrue(found.get(0).contains("jobs[0].hooks[0]") && found.get(0).contains("path"), found.toString());
        assertTrue(found.get(1).contains("t.yaml:9:") && found.get(1).contains("jobs[0].hooks[2].point: a mirror job"
                + " runs no prune.post hooks"), found.toString());
    }

    @Test
    void aMisplacedReceiverHookRightAfterADroppedOneKeepsItsOwnIndex() {
        // hooks[0] has no path, so it yields no HookSpec; the refusal of hooks[1] must still name index 1
        List<String> found = problems("""
                jobs:
                  - name: copy
                    type: mirror
                    mirror: {pull: {job: d, ssh: {address: h, user: u, identity_file: i, identity: a, peer: b}},
                             directory: /c}
                    hooks:
                      - {point: job.start}
                      - {point: snapshot.pre, path: /bin/true}
                """);
        assertEquals(List.of("t.yaml:7:9: jobs[0].hooks[0].path: missing required key 'path' (a path)",
                "t.yaml:8:17: jobs[0].hooks[1].point: a mirror pull job (the receiving side) runs hooks at job.start"
                        + " and job.end only; 'snapshot.pre' does not run here"), found);
    }
}
