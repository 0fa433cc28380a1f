package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.fs.TreeAssert;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.MirrorJob;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookRunner;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror job runs its hooks like a backup (real scripts write what they saw; transfer.pre's excludes leave files
 * out), and a cancelled run closes its link mid-transfer: the receiver aborts and the previous snapshot stays the
 * only one, unchanged.
 */
class MirrorJobHooksTest {
    @TempDir
    Path dir;

    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void hooksRunInOrderSeeTheTreeAndTransferPreExcludes() throws Exception {
        try (MirrorPeers p = new MirrorPeers(dir)) {
            Path seen = dir.resolve("seen.log");
            Path record = script("record.sh", "echo \"$SLUICE_HOOK ${1:--} $SLUICE_ROLE $SLUICE_SNAPSHOT\" >> " + seen);
            Path excludes = script("excludes.sh", "echo \"$SLUICE_HOOK\" >> " + seen + "\nprintf '%s\\0' 'big'");
            Path summary = script("summary.sh", "cat > " + dir.resolve("summary.json") + "\necho \"$SLUICE_HOOK $1\""
                    + " >> " + seen);
            SluiceConfig config = p.config("hooks.yaml", """
                    global: {host: donor}
                    jobs:
                      - name: datadir
                        type: mirror
                        paths: [%s]
                        mirror: {directory: %s, layout: snapshots}
                        hooks:
                          - {point: job.start, path: %s}
                          - {point: snapshot.pre, path: %s}
                          - {point: transfer.pre, path: %s}
                          - {point: transfer.post, path: %s}
                          - {point: snapshot.post, path: %s}
                          - {point: job.end, path: %s}
                    """.formatted(p.src, dir.resolve("mirror"), record, record, excludes, summary, record, record));
            MirrorJob.Outcome o = p.runOk(config, "datadir");
            String tree = o.received().finalTree();
            assertEquals(List.of("job.start - source ", "snapshot.pre - source ", "transfer.pre",
                    "transfer.post 0", "snapshot.post 0 source " + tree, "job.end 0 source " + tree),
                    Files.readAllLines(seen));
            assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"tree\":\"" + tree + "\""),
                    Files.readString(dir.resolve("summary.json")));
            assertEquals(6, o.hooks().size());
            Path mirrored = dir.resolve("mirror").resolve(tree);
            assertTrue(Files.notExists(mirrored.resolve("big")), "transfer.pre excluded big/");
            assertTrue(Files.exists(mirrored.resolve("data/hello.txt")));
        }
    }

    @Test
    void aFailingPreHookMirrorsNothingAndJobEndSeesTheFailure() throws Exception {
        try (MirrorPeers p = new MirrorPeers(dir)) {
            Path seen = dir.resolve("seen.log");
            Path fail = script("fail.sh", "exit 7");
            Path record = script("record.sh", "echo \"$SLUICE_HOOK $1\" >> " + seen);
            SluiceConfig config = p.config("hooks.yaml", """
                    global: {host: donor}
                    jobs:
                      - name: datadir
                        type: mirror
                        paths: [%s]
                        mirror: {directory: %s}
                        hooks:
                          - {point: snapshot.pre, path: %s}
                          - {point: job.end, path: %s}
                    """.formatted(p.src, dir.resolve("mirror"), fail, record));
            MirrorJob.Outcome o = p.run(config, "datadir", new Cancellation());
            assertEquals(1, o.status());
            assertTrue(o.failure().getMessage().contains("a pre hook failed; nothing was mirrored"),
                    o.failure().getMessage());
            assertEquals(List.of("job.end 1"), Files.readAllLines(seen));
            assertTrue(Files.notExists(dir.resolve("mirror")));
        }
    }

    @Test
    void aCancelledRunLeavesThePreviousSnapshotAsTheOnlyOne() throws Exception {
        try (MirrorPeers p = new MirrorPeers(dir)) {
            SluiceConfig config = p.config("m.yaml", """
                    global: {host: donor}
                    jobs:
                      - name: datadir
                        type: mirror
                        paths: [%s]
                        mirror: {directory: %s, layout: snapshots}
                    """.formatted(p.src, dir.resolve("mirror")));
            String first = p.runOk(config, "datadir").received().finalTree();
            Files.writeString(p.src.resolve("data/hello.txt"), "changed after the first snapshot\n");

            // the receiver stops at big/big.bin until the test has cancelled the run
            CountDownLatch reached = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            HookLog hookLog = BackupJobRunner.hookLog(p.log);
            MirrorJob gated = new MirrorJob(p.io, p.warnings::add, new HookRunner(p.io, hookLog), hookLog, null,
                    (d, o) -> gate(MirrorTarget.open(d, o, p.clock), reached, release));
            Cancellation cancellation = new Cancellation();
            CompletableFuture<MirrorJob.Outcome> run = CompletableFuture.supplyAsync(() -> gated.run(
                    MirrorJob.plan(config.job("datadir").orElseThrow(), dir), cancellation));
            assertTrue(reached.await(60, TimeUnit.SECONDS), "the run reached big/big.bin");
            cancellation.cancel();
            release.countDown();
            MirrorJob.Outcome cancelled = run.get(60, TimeUnit.SECONDS);
            assertEquals(1, cancelled.status(), String.valueOf(cancelled.failure()));
            assertTrue(cancelled.failure().getMessage().contains("mirror job datadir was cancelled"),
                    cancelled.failure().getMessage());
            try (Stream<Path> trees = Files.list(dir.resolve("mirror"))) {
                assertEquals(List.of(first), trees.map(t -> t.getFileName().toString())
                        .filter(n -> !n.startsWith(".")).toList());
            }
            assertEquals("hello\n", Files.readString(dir.resolve("mirror").resolve(first).resolve("data/hello.txt"),
                    StandardCharsets.UTF_8));
            Files.writeString(p.src.resolve("data/hello.txt"), "hello\n");
            Files.setLastModifiedTime(p.src.resolve("data/hello.txt"), Files.getLastModifiedTime(
                    dir.resolve("mirror").resolve(first).resolve("data/hello.txt")));
            TreeAssert.assertSameTree(p.src, dir.resolve("mirror").resolve(first));
        }
    }

    /** {@code target}, whose {@code basis("big/big.bin")} waits until {@code release} (after signalling {@code reached}). */
    static MirrorTarget gate(MirrorTarget target, CountDownLatch reached, CountDownLatch release) {
        return (MirrorTarget) Proxy.newProxyInstance(MirrorTarget.class.getClassLoader(),
                new Class<?>[] {MirrorTarget.class}, (proxy, method, args) -> {
                    if (method.getName().equals("basis")
                            && new String((byte[]) args[0], StandardCharsets.UTF_8).equals("big/big.bin")) {
                        reached.countDown();
                        release.await(60, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
