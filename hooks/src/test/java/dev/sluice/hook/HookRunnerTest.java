package dev.sluice.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

class HookRunnerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Scheduler scheduler;
    private RecordingHookLog log;
    private HookRunner runner;
    private HookScripts scripts;
    private HookContext context;

    @BeforeEach
    void setUp() {
        scheduler = Schedulers.newBoundedElastic(4, 100, "hook-runner-test");
        log = new RecordingHookLog();
        runner = new HookRunner(scheduler, log, HookLimits.defaults().withKillGrace(Duration.ofMillis(300)),
                Clock.systemUTC());
        scripts = new HookScripts(dir);
        context = HookContext.of("nightly", HookContext.Role.SOURCE, dir);
    }

    @AfterEach
    void tearDown() {
        scheduler.dispose();
    }

    private HookResult run(HookPoint point, Path exe, HookInput input, String... args) {
        return runner.run(HookDefinition.of(point, exe, Duration.ofSeconds(10), args), context, input).block(WAIT);
    }

    @Test
    void environmentIsExactlyTheDocumentedSet() {
        HookContext ctx = context.withSnapshotId("snap-1").withDryRun(true).withExtraEnv(Map.of("SLUICE_PEER", "db1"));
        HookResult result = runner.run(HookDefinition.of(HookPoint.JOB_START, Path.of("/usr/bin/env"),
                Duration.ofSeconds(10)), ctx, HookInput.none()).block(WAIT);
        assertEquals(HookResult.Status.OK, result.status(), () -> result.error().orElse(""));
        Map<String, String> env = new TreeMap<>();
        for (String line : log.stdout(HookPoint.JOB_START)) {
            int eq = line.indexOf('=');
            env.put(line.substring(0, eq), line.substring(eq + 1));
        }
        Map<String, String> expected = new TreeMap<>(Map.of(
                "PATH", HookEnvironment.DEFAULT_PATH,
                "HOME", System.getProperty("user.home"),
                "SLUICE_HOOK", "job.start",
                "SLUICE_JOB", "nightly",
                "SLUICE_SNAPSHOT", "snap-1",
                "SLUICE_ROLE", "source",
                "SLUICE_DRY_RUN", "1",
                "SLUICE_PEER", "db1"));
        assertEquals(expected, env);
    }

    @Test
    void argumentsWorkingDirectoryAndClosedStdin() throws IOException {
        Path out = dir.resolve("out.txt");
        Path work = Files.createDirectory(dir.resolve("work"));
        context = HookContext.of("nightly", HookContext.Role.SOURCE, work);
        Path hook = scripts.script("args.sh", "printf '%s|' \"$@\" \"$SLUICE_STATUS\" > " + out + "; pwd >> " + out
                + "; cat >> " + out + "; echo end >> " + out);
        HookResult result = run(HookPoint.JOB_END, hook, HookInput.status(3, null), "a b", "--x=1");
        assertTrue(result.ok(), () -> result.error().orElse(""));
        assertEquals("3|a b|--x=1|3|" + work + "\nend\n", Files.readString(out));
    }

    @Test
    void transferPostGetsSummaryOnStdinAndMayReplaceStatus() throws IOException {
        Path got = dir.resolve("stdin.json");
        Path hook = scripts.script("post.sh", "cat > " + got + "; test \"$1\" = 3 && echo 0");
        byte[] summary = "{\"files\":12,\"bytes\":4096,\"name\":\"\\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        HookResult result = run(HookPoint.TRANSFER_POST, hook, HookInput.status(3, summary));
        assertEquals(HookResult.Status.OK, result.status(), () -> result.error().orElse(""));
        assertEquals(OptionalInt.of(0), result.replacementStatus());
        assertEquals(new String(summary, StandardCharsets.UTF_8), Files.readString(got));
    }

    @Test
    void transferPostWithEmptyStdoutReplacesNothing() throws IOException {
        Path hook = scripts.script("quiet.sh", "cat > /dev/null; echo note >&2");
        HookResult result = run(HookPoint.TRANSFER_POST, hook, HookInput.status(0, new byte[0]));
        assertEquals(HookResult.Status.OK, result.status());
        assertEquals(OptionalInt.empty(), result.replacementStatus());
    }

    @Test
    void malformedReplacementStatusIsAContractErrorNamingTheHook() throws IOException {
        for (String bad : List.of("abc", "256", "007", "1\\n\\n", " 1", "-1", "\\n", "1 2")) {
            Path hook = scripts.script("bad-status.sh", "printf '%b' '" + bad + "'");
            HookResult result = run(HookPoint.TRANSFER_POST, hook, HookInput.status(0, new byte[0]));
            assertEquals(HookResult.Status.CONTRACT_ERROR, result.status(), "output " + bad);
            assertTrue(result.error().orElseThrow().contains(hook.toString()), result.error().orElseThrow());
        }
    }

    @Test
    void transferPreExcludesAreParsed() throws IOException {
        Path hook = scripts.script("ex.sh", "printf '%s\\0' '*.tmp' '/var/cache/**' 'name with space'; echo log >&2");
        HookResult result = run(HookPoint.TRANSFER_PRE, hook, HookInput.none());
        assertEquals(HookResult.Status.OK, result.status(), () -> result.error().orElse(""));
        assertEquals(List.of("*.tmp", "/var/cache/**", "name with space"), result.excludes());
    }

    @Test
    void malformedExcludesAreContractErrorsNamingTheHook() throws IOException {
        for (String bad : List.of("'*.tmp'", "'a\\0\\0'", "'a\\nb\\0'", "'ok\\0trailing'", "'\\377\\0'")) {
            Path hook = scripts.script("bad-ex.sh", "printf " + bad);
            HookResult result = run(HookPoint.TRANSFER_PRE, hook, HookInput.none());
            assertEquals(HookResult.Status.CONTRACT_ERROR, result.status(), "output " + bad);
            assertTrue(result.error().orElseThrow().contains(hook.toString()), result.error().orElseThrow());
            assertTrue(result.excludes().isEmpty());
        }
    }

    @Test
    void contractOutputBeyondTheCaptureLimitIsRejected() throws IOException {
        Path hook = scripts.script("big-ex.sh", "head -c 2097152 /dev/zero | tr '\\0' 'a'");
        HookResult result = run(HookPoint.TRANSFER_PRE, hook, HookInput.none());
        assertEquals(HookResult.Status.CONTRACT_ERROR, result.status());
        assertTrue(result.error().orElseThrow().contains("2097152 bytes"), result.error().orElseThrow());
    }

    @Test
    void nonZeroExitIsAFailureNamingTheHook() throws IOException {
        Path hook = scripts.script("fail.sh", "echo broken >&2; exit 7");
        HookResult result = run(HookPoint.JOB_START, hook, HookInput.none());
        assertEquals(HookResult.Status.FAILED, result.status());
        assertEquals(7, result.exitCode());
        assertTrue(result.error().orElseThrow().contains(hook + " at job.start (job nightly) exited with status 7"),
                result.error().orElseThrow());
        assertTrue(log.lines.contains(new RecordingHookLog.Line(HookPoint.JOB_START, HookLog.Stream.STDERR, "broken")));
        assertEquals(List.of(result), log.finished);
    }

    @Test
    void missingExecutableIsAFailureNotAnException() {
        Path missing = dir.resolve("missing.sh");
        HookResult result = run(HookPoint.JOB_START, missing, HookInput.none());
        assertEquals(HookResult.Status.FAILED, result.status());
        assertTrue(result.error().orElseThrow().contains(missing + " is not an executable file"));
    }

    @Test
    void timeoutKillsTheWholeTreeIncludingGrandchildren() throws Exception {
        Path hook = scripts.script("hang.sh", String.join("\n",
                "(trap '' TERM; exec sleep 60) &",
                "echo $! > \"$1/grandchild.pid\"",
                "setsid sleep 60 &",
                "echo $! > \"$1/escaped.pid\"",
                "touch \"$1/ready\"",
                "sleep 60"));
        HookResult result = runner.run(new HookDefinition(HookPoint.SNAPSHOT_PRE, hook, List.of(dir.toString()),
                Duration.ofMillis(700), OnError.ABORT, false), context, HookInput.none()).block(WAIT);
        assertEquals(HookResult.Status.TIMED_OUT, result.status());
        assertTrue(Files.exists(dir.resolve("ready")), "the hook got far enough to start its children");
        long grandchild = Long.parseLong(Files.readString(dir.resolve("grandchild.pid")).trim());
        long escaped = Long.parseLong(Files.readString(dir.resolve("escaped.pid")).trim());
        assertTrue(HookScripts.gone(grandchild), "grandchild ignoring SIGTERM survived: " + grandchild);
        assertTrue(HookScripts.gone(escaped), "grandchild in its own session survived: " + escaped);
        assertTrue(result.error().orElseThrow().contains(hook.toString()));
    }

    @Test
    void backgroundProcessLeftBehindIsEndedWhenTheHookExits() throws Exception {
        Path hook = scripts.script("leave.sh", "sleep 60 &\necho $! > \"$1/left.pid\"\nexit 0");
        HookResult result = runner.run(new HookDefinition(HookPoint.JOB_START, hook, List.of(dir.toString()),
                Duration.ofSeconds(10), OnError.ABORT, false), context, HookInput.none()).block(WAIT);
        long left = Long.parseLong(Files.readString(dir.resolve("left.pid")).trim());
        assertTrue(result.ok(), () -> result.error().orElse(""));
        if (runner.usesProcessGroups()) {
            assertTrue(HookScripts.gone(left), "process left behind survived: " + left);
        }
    }

    @Test
    void hundredMegabytesOfOutputAreDrainedWithCappedLogging() throws IOException {
        Path hook = scripts.script("chatty.sh", "yes 0123456789abcdef | head -c 104857600\n"
                + "head -c 104857600 /dev/zero >&2");
        HookResult result = run(HookPoint.JOB_START, hook, HookInput.none());
        assertEquals(HookResult.Status.OK, result.status(), () -> result.error().orElse(""));
        HookLimits limits = HookLimits.defaults();
        assertTrue(log.stdoutChars.get() <= limits.maxLoggedBytes(), "stdout logged " + log.stdoutChars.get());
        assertTrue(log.stderrChars.get() <= limits.maxLoggedBytes() * 4 + 100, "stderr logged " + log.stderrChars.get());
        assertTrue(log.lineCount.get() <= 2L * limits.maxLoggedLines(), "lines logged " + log.lineCount.get());
        assertTrue(log.events.stream().anyMatch(e -> e.contains("stdout truncated after 1000 lines")), log.events.toString());
        assertTrue(log.stdout(HookPoint.JOB_START).stream().allMatch(l -> l.equals("0123456789abcdef")));
    }

    @Test
    void longLinesAreCutAndControlCharactersEscaped() throws IOException {
        Path hook = scripts.script("long.sh", "head -c 10000 /dev/zero | tr '\\0' 'x'; echo; printf 'a\\033b\\n'");
        HookResult result = run(HookPoint.JOB_START, hook, HookInput.none());
        assertTrue(result.ok());
        List<String> out = log.stdout(HookPoint.JOB_START);
        assertEquals("x".repeat(4096) + " [line cut at 4096 bytes]", out.get(0));
        assertEquals("a\\x1bb", out.get(1));
    }

    @Test
    void priorityIsApplied() throws IOException {
        Path out = dir.resolve("prio.txt");
        Path hook = scripts.script("prio.sh", "nice > " + out + "; ionice >> " + out);
        context = context.withPriority(new Priority(5, Priority.IoClass.IDLE, null));
        HookResult result = run(HookPoint.JOB_START, hook, HookInput.none());
        assertTrue(result.ok(), () -> result.error().orElse(""));
        String own = Files.readString(Path.of("/proc/self/stat"));
        int ownNice = Integer.parseInt(own.substring(own.lastIndexOf(')') + 2).split(" ")[16]);
        List<String> lines = Files.readAllLines(out);
        assertEquals(Integer.toString(Math.min(19, ownNice + 5)), lines.get(0));
        assertEquals("idle", lines.get(1));
    }

    @Test
    void cancellingARunEndsTheHook() throws Exception {
        Path hook = scripts.script("cancel.sh", "echo $$ > \"$1/hook.pid\"\nexec sleep 60");
        var disposable = runner.run(new HookDefinition(HookPoint.JOB_START, hook, List.of(dir.toString()),
                Duration.ofSeconds(30), OnError.ABORT, false), context, HookInput.none()).subscribe();
        Path pidFile = dir.resolve("hook.pid");
        for (int i = 0; i < 250 && (!Files.exists(pidFile) || Files.size(pidFile) == 0); i++) {
            Thread.sleep(20);
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        disposable.dispose();
        assertTrue(HookScripts.gone(pid), "cancelled hook survived: " + pid);
        assertFalse(HookScripts.running(pid));
    }
}
