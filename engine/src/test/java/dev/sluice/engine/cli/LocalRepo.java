package dev.sluice.engine.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A key file and a fresh repository in a test directory, with shortcuts for the common commands. */
public record LocalRepo(Path repo, Path key) {

    public static LocalRepo create(Path dir) {
        LocalRepo r = new LocalRepo(dir.resolve("repo"), dir.resolve("key"));
        CliRun.of("key", "init", "--key-file", r.key.toString()).expect(0);
        CliRun.of("init", "--repo", r.repo.toString(), "--key-file", r.key.toString()).expect(0);
        return r;
    }

    public CliRun backup(String... pathsAndOptions) {
        List<String> a = new ArrayList<>(List.of("backup", "--repo", repo.toString(), "--key-file", key.toString(),
                "--json", "--host", "testhost"));
        a.addAll(List.of(pathsAndOptions));
        return CliRun.of(a.toArray(String[]::new));
    }

    public CliRun restore(String snapshot, Path target, String... paths) {
        List<String> a = new ArrayList<>(List.of("restore", "--repo", repo.toString(), "--key-file", key.toString(),
                snapshot, "--target", target.toString()));
        a.addAll(List.of(paths));
        return CliRun.of(a.toArray(String[]::new));
    }

    public CliRun check(boolean readData) {
        return readData
                ? CliRun.of("check", "--repo", repo.toString(), "--key-file", key.toString(), "--read-data")
                : CliRun.of("check", "--repo", repo.toString());
    }

    /** The directory a restore puts an absolute source path under. */
    public static Path restored(Path target, Path source) throws IOException {
        return target.resolve(source.toAbsolutePath().toString().substring(1));
    }
}
