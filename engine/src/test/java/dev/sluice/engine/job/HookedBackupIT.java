package dev.sluice.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.cli.CliRun;
import dev.sluice.engine.cli.LocalRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config-driven backups with real hook scripts: order, contracts, aborts and job.end. */
class HookedBackupIT {
    @TempDir
    Path dir;
    Path log;
    Path src;
    LocalRepo repo;

    @BeforeEach
    void setUp() throws Exception {
        log = dir.resolve("hook.log");
        src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("keep.txt"), "keep\n");
        Files.writeString(src.resolve("scratch.bin"), "excluded by a hook\n");
        repo = LocalRepo.create(dir);
    }

    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private Path config(String hooks) throws Exception {
        return Files.writeString(dir.resolve("sluice.yaml"), """
                global:
                  host: hooked
                jobs:
                  - name: hooked
                    paths: [%s]
                    repository: {path: %s}
                    key_file: %s
                    hooks:
                %s""".formatted(src, repo.repo(), repo.key(), hooks.indent(6)));
    }

    private static String hook(String point, Path path, String extra) {
        return "- point: " + point + "\n  path: " + path + "\n  timeout: 20s\n" + extra;
    }

    private int snapshots() {
        return CliRun.of("snapshots", "--repo", repo.repo().toString(), "--json").out().split("\"id\"").length - 1;
    }

    @Test
    void pointsFireInOrderAndTheContractsWork() throws Exception {
        String rec = "echo \"$SLUICE_HOOK $* job=$SLUICE_JOB role=$SLUICE_ROLE\" >> " + log;
        Path start = script("start", rec);
        Path pre = script("pre", rec);
        Path tpre = script("tpre", rec + "\nprintf 'scratch.bin\\0'");
        Path tpost = script("tpost", rec + "\ncat > " + dir.resolve("summary.json") + "\necho 0");
        Path spost = script("spost", rec);
        Path end = script("end", rec);
        Path cfg = config(String.join("", hook("job.start", start, ""), hook("snapshot.pre", pre, ""),
                hook("transfer.pre", tpre, ""), hook("transfer.post", tpost, ""), hook("snapshot.post", spost, ""),
                hook("job.end", end, "")));
        CliRun run = CliRun.of("backup", "-c", cfg.toString(), "--json").expect(0);
        List<String> lines = Files.readAllLines(log);
        assertEquals(6, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("job.start"), lines.toString());
        assertTrue(lines.get(1).startsWith("snapshot.pre"));
        assertTrue(lines.get(2).startsWith("transfer.pre"));
        assertTrue(lines.get(3).startsWith("transfer.post"));
        assertTrue(lines.get(4).startsWith("snapshot.post"));
        assertTrue(lines.get(5).startsWith("job.end 0"), lines.toString());
        assertTrue(lines.get(0).contains("job=hooked role=source"), lines.toString());
        String summary = Files.readString(dir.resolve("summary.json"));
        assertTrue(summary.contains("\"snapshot\":\"" + run.jsonString("snapshot")), summary);
        assertEquals(1, run.json("files_new"), "scratch.bin was excluded by transfer.pre: " + run);
    }

    @Test
    void failingSnapshotPreMeansNoSnapshotButPostCounterpartsAndJobEndRun() throws Exception {
        String rec = "echo \"$SLUICE_HOOK $*\" >> " + log;
        Path start = script("start", rec);
        Path freeze = script("freeze", rec);
        Path broken = script("broken", rec + "\nexit 7");
        Path thaw = script("thaw", rec);
        Path end = script("end", rec);
        Path cfg = config(String.join("", hook("job.start", start, ""), hook("snapshot.pre", freeze, ""),
                hook("snapshot.pre", broken, ""), hook("snapshot.post", thaw, ""), hook("job.end", end, "")));
        CliRun run = CliRun.of("backup", "-c", cfg.toString()).expect(1);
        assertTrue(run.err().contains("no snapshot was written"), run.toString());
        assertEquals(0, snapshots());
        List<String> lines = Files.readAllLines(log);
        assertEquals(List.of("job.start", "snapshot.pre", "snapshot.pre", "snapshot.post 1", "job.end 1"),
                lines.stream().map(String::trim).toList());
    }

    @Test
    void transferPostMayReplaceTheStatusAndMalformedOutputIsAnError() throws Exception {
        Path fail = script("fail", "cat > /dev/null; echo 3");
        Path cfg = config(hook("transfer.post", fail, ""));
        CliRun.of("backup", "-c", cfg.toString()).expect(3);
        Path garbage = script("garbage", "cat > /dev/null; echo 'not a number'");
        Path cfg2 = config(hook("transfer.post", garbage, ""));
        CliRun bad = CliRun.of("backup", "-c", cfg2.toString());
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("garbage"), "the error names the hook: " + bad);
    }

    @Test
    void jobEndRunsAfterAFailureWithTheFailureStatus() throws Exception {
        Path end = script("end", "echo \"$SLUICE_HOOK $*\" >> " + log);
        Files.delete(repo.repo().resolve("config"));
        Path cfg = config(hook("job.end", end, ""));
        CliRun run = CliRun.of("backup", "-c", cfg.toString());
        assertEquals(10, run.exit(), run.toString());
        assertEquals(List.of("job.end 10"), Files.readAllLines(log));
        assertFalse(run.err().isEmpty());
    }
}
