package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final Path BASE = Path.of("/cfg");

    private static final String JOB = """
            jobs:
              - name: etc
                paths: [/etc]
                repository: /srv/repo
            """;

    /** The ways to write an empty value in a flow mapping: nothing, ~, null and the empty quoted text. */
    private static final List<String> EMPTY_SPELLINGS = List.of("", "~", "null", "\"\"");

    private static SluiceConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("t.yaml", yaml, BASE, "test-host");
    }

    /** Every problem of the text, rendered FILE:LINE:COL: KEYPATH: MESSAGE, in file order. */
    private static List<String> problems(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        return e.problems().stream().map(ConfigProblem::toString).collect(Collectors.toList());
    }

    private static String onlyProblem(String yaml) {
        List<String> found = problems(yaml);
        assertEquals(1, found.size(), () -> "expected one problem, got " + found);
        return found.get(0);
    }

    // ---- valid files and defaults ----------------------------------------------------------------------

    @Test
    void minimalJobGetsEveryDefault() throws ConfigException {
        SluiceConfig config = parse(JOB);
        assertEquals(Path.of("t.yaml"), config.file());
        assertEquals(new GlobalSpec(Path.of("/run/sluice"), "info", "test-host"), config.global());
        JobSpec job = config.job("etc").orElseThrow();
        assertEquals(JobType.BACKUP, job.type());
        assertEquals(List.of(Path.of("/etc")), job.paths());
        assertEquals(List.of(), job.include());
        assertEquals(List.of(), job.exclude());
        assertFalse(job.oneFileSystem());
        assertTrue(job.excludeCaches());
        assertEquals(new LocalRepositorySpec(Path.of("/srv/repo")), job.repository());
        assertNull(job.keyFile());
        assertNull(job.passwordFile());
        assertEquals(new ChunkerSpec(256 << 10, 1 << 20, 4 << 20), job.chunker());
        assertEquals(new CompressionSpec("zstd", 3), job.compression());
        assertEquals(List.of(), job.hooks());
        assertTrue(config.job("other").isEmpty());
    }

    @Test
    void everyKeySpelledOut() throws ConfigException {
        SluiceConfig config = parse("""
                global:
                  runtime_dir: run
                  log_level: debug
                  host: web-1.example.org
                jobs:
                  - name: home.daily_1
                    type: backup
                    paths: [/home, data]
                    include: ["*.conf"]
                    exclude: ["*.tmp", ".cache"]
                    one_file_system: true
                    exclude_caches: false
                    repository: {path: ../repo}
                    password_file: secret/pass
                    chunker: {min: 64KiB, avg: 512KiB, max: 2MiB}
                    compression: {algorithm: zstd, level: 19}
                    hooks:
                      - point: snapshot.pre
                        path: hooks/dump
                        args: [--all, 5]
                        timeout: 1h30m
                        on_error: warn
                        async: true
                """);
        assertEquals(new GlobalSpec(Path.of("/cfg/run"), "debug", "web-1.example.org"), config.global());
        JobSpec job = config.jobs().get(0);
        assertEquals("home.daily_1", job.name());
        assertEquals(List.of(Path.of("/home"), Path.of("/cfg/data")), job.paths());
        assertEquals(List.of("*.conf"), job.include());
        assertEquals(List.of("*.tmp", ".cache"), job.exclude());
        assertTrue(job.oneFileSystem());
        assertFalse(job.excludeCaches());
        assertEquals(new LocalRepositorySpec(Path.of("/cfg/../repo")), job.repository());
        assertEquals(Path.of("/cfg/secret/pass"), job.passwordFile());
        assertEquals(new ChunkerSpec(64 << 10, 512 << 10, 2 << 20), job.chunker());
        assertEquals(new CompressionSpec("zstd", 19), job.compression());
        assertEquals(List.of(new HookSpec("snapshot.pre", Path.of("/cfg/hooks/dump"), List.of("--all", "5"),
                Duration.ofMinutes(90), HookSpec.OnError.WARN, true)), job.hooks());
    }

    @Test
    void compressionShorthands() throws ConfigException {
        assertEquals(CompressionSpec.NONE, parse(JOB + "    compression: none\n").jobs().get(0).compression());
        assertEquals(CompressionSpec.DEFAULT, parse(JOB + "    compression: zstd\n").jobs().get(0).compression());
        assertEquals(new CompressionSpec("zstd", 7),
                parse(JOB + "    compression: {level: 7}\n").jobs().get(0).compression());
        assertEquals(CompressionSpec.NONE,
                parse(JOB + "    compression: {algorithm: none}\n").jobs().get(0).compression());
    }

    @Test
    void emptyValuesMeanNotSet() throws ConfigException {
        SluiceConfig config = parse("global:\n" + JOB + "    hooks:\n    chunker: ~\n");
        assertEquals("info", config.global().logLevel());
        assertEquals(ChunkerSpec.DEFAULT, config.jobs().get(0).chunker());
    }

    @Test
    void anEmptyQuotedTextIsEmptyToo() throws ConfigException {
        assertEquals("info", parse("global: {log_level: \"\"}\n" + JOB).global().logLevel());
        assertEquals("t.yaml:2:11: jobs[0].name: 'name' has no value; expected a job name",
                onlyProblem("jobs:\n  - name: \"\"\n    paths: [/etc]\n    repository: /srv/repo\n"));
        assertEquals("t.yaml:4:17: jobs[0].repository: 'repository' has no value; expected a repository path like"
                + " /srv/sluice or a mapping with 'path'",
                onlyProblem("jobs:\n  - name: etc\n    paths: [/etc]\n    repository: ''\n"));
        assertEquals("t.yaml:5:38: jobs[0].hooks[0].path: 'path' has no value; expected a path",
                onlyProblem(JOB + "    hooks: [{point: job.start, path: ''}]\n"));
        assertEquals("t.yaml:3:19: jobs[0].paths[1]: empty value; expected a path",
                onlyProblem("jobs:\n  - name: etc\n    paths: [/etc, '']\n    repository: /srv/repo\n"));
    }

    @Test
    void anEmptyRemoteRepositoryBlockIsReportedNotDroppedWithItsJob() throws ConfigException {
        for (String empty : EMPTY_SPELLINGS) {
            String problem = onlyProblem("jobs:\n  - name: etc\n    paths: [/etc]\n    repository: {pull: " + empty
                    + "}\n");
            assertTrue(problem.startsWith("t.yaml:4:") && problem.endsWith(" jobs[0].repository.pull: 'pull' has no"
                    + " value; expected a mapping with the key sinks"), empty + " -> " + problem);
        }
        // an empty remote key beside a real one is not set, not a second kind of repository
        RepositorySpec pushed = parse(JOB.replace("repository: /srv/repo", "repository: {pull: ~, sink: {tls:"
                + " {address: 'backup:7443', server_name: sink, ca: ca, cert: c, key: k}}}")).jobs().get(0).repository();
        assertEquals(new SinkRepositorySpec(new TlsConnectSpec("backup", 7443, "sink", BASE.resolve("ca"),
                BASE.resolve("c"), BASE.resolve("k"), false)), pushed);
    }

    @Test
    void anEmptySinkOrMirrorIsNoReasonToLeaveOutJobs() {
        for (String empty : EMPTY_SPELLINGS) {
            for (String block : List.of("sink", "mirror")) {
                assertEquals("t.yaml:1:1: jobs: missing required key 'jobs' (a list of jobs)",
                        onlyProblem("global: {" + block + ": " + empty + "}\n"), block + ": " + empty);
            }
        }
        assertEquals("t.yaml:3:6: jobs: 'jobs' has no value; expected a list of jobs",
                onlyProblem("global:\n  sink:\njobs:\n"));
    }

    @Test
    void anEmptyMirrorPullLeavesALocalMirrorJob() throws ConfigException {
        for (String empty : EMPTY_SPELLINGS) {
            JobSpec job = parse("""
                    jobs:
                      - name: m
                        type: mirror
                        paths: [/a]
                        mirror: {pull: %s, directory: /m}
                        hooks: [{point: snapshot.pre, path: /bin/true}]
                    """.formatted(empty)).jobs().get(0);
            assertEquals(List.of(Path.of("/a")), job.paths(), empty);
            assertEquals(Path.of("/m"), ((MirrorJobSpec) job.repository()).directory(), empty);
            assertNull(((MirrorJobSpec) job.repository()).pull(), empty);
        }
    }

    @Test
    void anEmptyClientCertificateNameIsAnError() {
        assertEquals("t.yaml:3:67: global.listen.tls.clients: empty client certificate name; expected the common"
                + " name (CN) of a client certificate, mapped to its identity", onlyProblem("""
                        global:
                          listen:
                            tls: {address: '0.0.0.0:1', ca: c, cert: c, key: k, clients: {'': web-1}}
                          sink: {repository: /r, clients: {web-1: {jobs: [a]}}}
                        """));
    }

    // ---- the problems the issue names --------------------------------------------------------------------

    @Test
    void unknownKeySuggestsTheClosestKnownKey() {
        assertEquals("t.yaml:5:5: jobs[0].exlude: unknown key 'exlude'; did you mean 'exclude'?",
                onlyProblem(JOB + "    exlude: [\"*.tmp\"]\n"));
        assertEquals("t.yaml:5:5: jobs[0].oneFileSystem: unknown key 'oneFileSystem'; did you mean 'one_file_system'?",
                onlyProblem(JOB + "    oneFileSystem: true\n"));
        assertEquals("t.yaml:1:1: frobnicate: unknown key 'frobnicate'; known keys here: global, jobs",
                onlyProblem("frobnicate: 1\n" + JOB));
    }

    @Test
    void misspeltRequiredKeyIsReportedOnce() {
        assertEquals("t.yaml:3:5: jobs[0].pahts: unknown key 'pahts'; did you mean 'paths'?", onlyProblem("""
                jobs:
                  - name: etc
                    pahts: [/etc]
                    repository: /srv/repo
                """));
    }

    @Test
    void unknownKeyInsideARepositoryMapping() {
        assertEquals("t.yaml:4:35: jobs[0].repository.url: unknown key 'url'; known keys here: path",
                onlyProblem("""
                        jobs:
                          - name: etc
                            paths: [/etc]
                            repository: {path: /srv/repo, url: x}
                        """));
    }

    @Test
    void listWhereAStringIsExpected() {
        assertEquals("t.yaml:2:14: global.log_level: expected a log level, found a list",
                onlyProblem("global:\n  log_level: [info]\n" + JOB));
    }

    @Test
    void mappingWhereAListIsExpected() {
        assertEquals("t.yaml:3:12: jobs[0].paths: expected a list of paths to back up, found a mapping",
                onlyProblem("""
                        jobs:
                          - name: etc
                            paths: {root: /etc}
                            repository: /srv/repo
                        """));
    }

    @Test
    void blockMappingWhereAListIsExpectedPointsAtItsFirstKey() {
        assertEquals("t.yaml:5:7: jobs[0].paths: expected a list of paths to back up, found a mapping",
                onlyProblem("""
                        jobs:
                          - name: etc
                            repository: /srv/repo
                            paths:
                              root: /etc
                        """));
    }

    @Test
    void missingRequiredValue() {
        assertEquals("t.yaml:2:5: jobs[0].repository: missing required key 'repository' (a repository path like"
                + " /srv/sluice or a mapping with 'path')", onlyProblem("""
                        jobs:
                          - name: etc
                            paths: [/etc]
                        """));
        assertEquals("t.yaml:3:12: jobs[0].paths: the list is empty; expected a list of paths to back up with at"
                + " least one item", onlyProblem("""
                        jobs:
                          - name: etc
                            paths: []
                            repository: /srv/repo
                        """));
        assertEquals("t.yaml:1:1: jobs: missing required key 'jobs' (a list of jobs)",
                onlyProblem("global: {log_level: warn}\n"));
        assertEquals("t.yaml:2:11: jobs[0].name: 'name' has no value; expected a job name",
                onlyProblem("jobs:\n  - name: ~\n    paths: [/etc]\n    repository: /srv/repo\n"));
    }

    @Test
    void badDuration() {
        assertEquals("t.yaml:8:18: jobs[0].hooks[0].timeout: invalid duration '5min': unknown unit 'min'; expected"
                + " numbers with units w, d, h, m, s or ms from largest to smallest, for example 90s, 15m or 1h30m",
                onlyProblem(JOB + """
                            hooks:
                              - point: job.start
                                path: /bin/true
                                timeout: 5min
                        """));
    }

    @Test
    void zeroHookTimeout() {
        assertEquals("t.yaml:8:18: jobs[0].hooks[0].timeout: a hook timeout must be longer than zero, for example"
                + " 30s or 5m", onlyProblem(JOB + """
                            hooks:
                              - point: job.start
                                path: /bin/true
                                timeout: 0s
                        """));
    }

    @Test
    void badSize() {
        assertEquals("t.yaml:6:12: jobs[0].chunker.avg: invalid size '1.5MiB'; expected a whole number of bytes with"
                + " an optional unit (B, KiB, MiB, GiB, TiB, KB, MB, GB or TB), for example 64MiB",
                onlyProblem(JOB + "    chunker:\n      avg: 1.5MiB\n"));
        assertEquals("t.yaml:5:20: jobs[0].chunker.max: invalid size '-4MiB': a size must not be negative; expected"
                + " a whole number of bytes with an optional unit (B, KiB, MiB, GiB, TiB, KB, MB, GB or TB), for"
                + " example 64MiB", onlyProblem(JOB + "    chunker: {max: -4MiB}\n"));
    }

    @Test
    void chunkerOrderingViolation() {
        assertEquals("t.yaml:6:12: jobs[0].chunker.min: min 512KiB must be smaller than avg 256KiB",
                onlyProblem(JOB + """
                            chunker:
                              min: 512KiB
                              avg: 256KiB
                        """));
        assertEquals("t.yaml:5:20: jobs[0].chunker.min: min 2MiB must be smaller than avg 1MiB",
                onlyProblem(JOB + "    chunker: {min: 2MiB}\n"));
        assertEquals(List.of(
                "t.yaml:5:20: jobs[0].chunker.avg: avg 1000KiB is not a power of two; use for example 512KiB, 1MiB"
                        + " or 2MiB",
                "t.yaml:5:34: jobs[0].chunker.max: max 128MiB is above the highest allowed 64MiB"),
                problems(JOB + "    chunker: {avg: 1000KiB, max: 128MiB}\n"));
        assertEquals("t.yaml:5:20: jobs[0].chunker.max: max 512KiB must be larger than avg 1MiB",
                onlyProblem(JOB + "    chunker: {max: 512KiB, min: 1KiB}\n"));
        assertEquals("t.yaml:5:14: jobs[0].chunker.max: max 4MiB must be larger than avg 8MiB (max is not set; its"
                + " default is 4MiB)", onlyProblem(JOB + "    chunker: {avg: 8MiB}\n"));
    }

    @Test
    void duplicateJobNamesAreReportedAtTheSecond() {
        assertEquals("t.yaml:5:11: jobs[1].name: job name 'etc' is already used by jobs[0].name",
                onlyProblem(JOB + """
                          - name: etc
                            paths: [/home]
                            repository: /srv/repo
                        """));
    }

    @Test
    void duplicateYamlKeys() {
        assertEquals("t.yaml:4:5: jobs[0].paths: duplicate key 'paths'; it is already set at line 3, column 5",
                onlyProblem("""
                        jobs:
                          - name: etc
                            paths: [/etc]
                            paths: [/home]
                            repository: /srv/repo
                        """));
    }

    @Test
    void yamlSyntaxError() {
        List<String> found = problems("""
                jobs:
                  - name: etc
                    paths: [/etc
                    repository: /srv/repo
                """);
        assertEquals(List.of("t.yaml:4:15: jobs[0].paths: YAML syntax error: expected ',' or ']', but got :"
                + " (while parsing a flow sequence that starts at line 3, column 12)"), found);
    }

    @Test
    void badIndentationIsASyntaxError() {
        assertEquals("t.yaml:3:2: YAML syntax error: expected <block end>, but found '<block mapping start>'"
                + " (while parsing a block mapping that starts at line 1, column 1)",
                onlyProblem("jobs:\n  - name: etc\n paths: [/etc]\n"));
    }

    @Test
    void emptyFile() {
        String expected = "t.yaml:1:1: the file is empty; expected a mapping with a 'jobs' list";
        assertEquals(expected, onlyProblem(""));
        assertEquals(expected, onlyProblem("# nothing here yet\n\n"));
        assertEquals(expected, onlyProblem("---\n"));
    }

    @Test
    void severalProblemsAreAllReported() {
        List<String> found = problems("""
                global:
                  log_level: loud
                  runtim_dir: /run/x
                jobs:
                  - name: etc
                    paths: /etc
                    repository: /srv/repo
                    compression: {algorithm: zstd, level: 25}
                  - name: "bad name"
                    paths: [/home]
                    repository: /srv/repo
                    key_file: /k
                    password_file: /p
                    hooks:
                      - point: snapshot.before
                        path: /bin/true
                        async: yes
                  - paths: [/var]
                    repository: [/srv/repo]
                """);
        assertEquals(List.of(
                "t.yaml:2:14: global.log_level: unknown value 'loud'; expected one of error, warn, info, debug",
                "t.yaml:3:3: global.runtim_dir: unknown key 'runtim_dir'; did you mean 'runtime_dir'?",
                "t.yaml:6:12: jobs[0].paths: expected a list of paths to back up, found the text '/etc'",
                "t.yaml:8:43: jobs[0].compression.level: zstd level 25 is outside the range 1 to 19; 3 is the default",
                "t.yaml:9:11: jobs[1].name: invalid job name 'bad name'; expected 1 to 64 letters, digits, '.', '-'"
                        + " or '_', starting with a letter or digit, for example home-daily",
                "t.yaml:13:5: jobs[1].password_file: set either key_file or password_file, not both",
                "t.yaml:15:16: jobs[1].hooks[0].point: unknown value 'snapshot.before'; expected one of job.start,"
                        + " snapshot.pre, transfer.pre, transfer.post, snapshot.post, prune.post, job.end",
                "t.yaml:17:16: jobs[1].hooks[0].async: expected true or false, found 'yes'",
                "t.yaml:18:5: jobs[2].name: missing required key 'name' (a job name)",
                "t.yaml:19:17: jobs[2].repository: expected a repository path like /srv/sluice or a mapping with"
                        + " 'path', found a list"), found);
    }

    // ---- other structural problems -----------------------------------------------------------------------

    @Test
    void secondYamlDocumentIsRejected() {
        assertEquals("t.yaml:6:1: a second YAML document starts here; the file must hold exactly one document",
                onlyProblem(JOB + "---\nglobal: {}\n"));
    }

    @Test
    void aliasesAreRejected() {
        assertEquals("t.yaml:4:17: jobs[0].repository: YAML aliases (*r) are not supported; write the value out",
                onlyProblem("""
                        jobs:
                          - name: etc
                            paths: [&r /etc]
                            repository: *r
                        """));
    }

    @Test
    void topLevelMustBeAMapping() {
        assertEquals("t.yaml:1:1: the top level must be a mapping with the keys 'global' and 'jobs', found a list",
                onlyProblem("- name: etc\n"));
        assertEquals("t.yaml:1:1: the top level must be a mapping with the keys 'global' and 'jobs', found the text"
                + " 'hello'", onlyProblem("hello\n"));
    }

    @Test
    void otherValueProblems() {
        assertEquals("t.yaml:5:11: jobs[0].type: unknown job type 'copy'; expected backup, pull, mirror",
                onlyProblem(JOB + "    type: copy\n"));
        assertEquals("t.yaml:5:18: jobs[0].compression: unknown value 'gzip'; expected one of zstd, none",
                onlyProblem(JOB + "    compression: gzip\n"));
        assertEquals("t.yaml:5:43: jobs[0].compression.level: compression none takes no level; remove 'level' or use"
                + " algorithm zstd", onlyProblem(JOB + "    compression: {algorithm: none, level: 3}\n"));
        assertEquals("t.yaml:5:26: jobs[0].compression.level: expected a whole number like 3, found 'high'",
                onlyProblem(JOB + "    compression: {level: high}\n"));
        assertEquals("t.yaml:3:19: jobs[0].paths[1]: path /etc is listed twice",
                onlyProblem("jobs:\n  - name: etc\n    paths: [/etc, /etc]\n    repository: /r\n"));
        assertEquals("t.yaml:1:16: global.host: invalid host name 'a b'; expected letters, digits, '.', '-' and '_'"
                + " (at most 253 characters, starting with a letter or digit), for example web-1.example.org",
                onlyProblem("global: {host: a b}\n" + JOB));
        assertEquals("t.yaml:5:18: jobs[0].exclude[1]: empty value; expected a pattern",
                onlyProblem(JOB + "    exclude: [a, ~]\n"));
    }

    @Test
    void unusableMachineHostnameAsksForGlobalHost() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("t.yaml", JOB, BASE, "not a hostname"));
        assertTrue(e.problems().get(0).toString().startsWith("t.yaml:1:1: global.host: the machine's hostname cannot"
                + " be used: invalid host name 'not a hostname'"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; set global.host"), e.getMessage());
    }

    @Test
    void exceptionMessageListsEveryProblemOnItsOwnLine() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("jobs:\n  - name: etc\n    paths: [/etc]\n    repository: /r\n    a: 1\n    b: 2\n"));
        assertEquals("t.yaml:5:5: jobs[0].a: unknown key 'a'; known keys here: name, type, paths, include, exclude,"
                + " one_file_system, exclude_caches, repository, key_file, password_file, chunker, compression, hooks, retention, schedule, source, mirror\n"
                + "t.yaml:6:5: jobs[0].b: unknown key 'b'; known keys here: name, type, paths, include, exclude,"
                + " one_file_system, exclude_caches, repository, key_file, password_file, chunker, compression, hooks, retention, schedule, source, mirror",
                e.getMessage());
    }

    // ---- files -----------------------------------------------------------------------------------------

    @Test
    void loadResolvesRelativePathsAgainstTheFilesDirectory(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("conf").resolve("sluice.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                jobs:
                  - name: etc
                    paths: [data]
                    repository: ../repo
                    key_file: keys/etc.key
                """);
        SluiceConfig config = ConfigLoader.load(file);
        JobSpec job = config.jobs().get(0);
        assertEquals(file, config.file());
        assertEquals(List.of(dir.resolve("conf/data")), job.paths());
        assertEquals(new LocalRepositorySpec(dir.resolve("conf/../repo")), job.repository());
        assertEquals(dir.resolve("conf/keys/etc.key"), job.keyFile());
        assertFalse(config.global().host().isEmpty());
    }

    @Test
    void loadNamesAMissingFile(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(new ConfigProblem(file.toString(), 0, 0, "",
                "cannot read the configuration file: it does not exist")), e.problems());
        assertEquals(file + ": cannot read the configuration file: it does not exist", e.getMessage());
    }

    @Test
    void loadRejectsInvalidUtf8(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, "jobs: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": cannot read the configuration file: it is not valid UTF-8", e.getMessage());
    }

    @Test
    void loadReportsProblemsWithTheFileNameAsGiven(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "jobs: {}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ":1:7: jobs: expected a list of jobs, found a mapping", e.getMessage());
    }
}
