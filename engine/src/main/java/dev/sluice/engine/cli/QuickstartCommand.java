package dev.sluice.engine.cli;

import dev.sluice.engine.fs.RawPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * {@code sluice quickstart}: the embedded default. Makes a sample directory, a key, a
 * repository and a config file from the built-in template, then backs up, lists, checks
 * and restores with the ordinary commands, so a new user sees every step work.
 */
final class QuickstartCommand implements Command {
    @Override public String name() { return "quickstart"; }
    @Override public String summary() { return "try it: back up and restore a sample directory (embedded default)"; }
    @Override public Set<String> valued() { return Set.of("--dir"); }
    @Override public Set<String> flags() { return Set.of("--help"); }

    @Override
    public String help() {
        return """
                Usage: sluice quickstart [--dir DIR]

                Runs the embedded default job end to end in DIR (default ./sluice-quickstart):
                creates DIR/sample (a small tree with text, binary, a symlink, a hardlink and a
                name that is not UTF-8), DIR/key, DIR/repo and DIR/sluice.yaml, then runs
                'backup -c', 'snapshots', 'check --read-data' and 'restore latest' into
                DIR/restore. Run it again after changing files in DIR/sample to see an
                incremental backup.
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        Path dir = Path.of(args.value("--dir") == null ? "sluice-quickstart" : args.value("--dir")).toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Path sample = dir.resolve("sample");
        if (!Files.exists(sample)) {
            makeSample(sample);
            console.out().println("== made a sample tree in " + sample);
        }
        Path key = dir.resolve("key");
        Path repo = dir.resolve("repo");
        Path config = dir.resolve("sluice.yaml");
        if (!Files.exists(config)) {
            Files.writeString(config, template().replace("@DIR@", dir.toString()));
        }
        if (!Files.exists(key)) {
            step(console, "key init --key-file " + key, List.of("key", "init", "--key-file", key.toString()));
        }
        if (!Files.exists(repo)) {
            step(console, "init", List.of("init", "--repo", repo.toString(), "--key-file", key.toString()));
        }
        int backup = step(console, "backup -c " + config, List.of("backup", "-c", config.toString(), "--quiet"));
        if (backup != ExitCode.OK && backup != ExitCode.PARTIAL) {
            return backup;
        }
        step(console, "snapshots", List.of("snapshots", "--repo", repo.toString(), "--key-file", key.toString()));
        int check = step(console, "check --read-data",
                List.of("check", "--repo", repo.toString(), "--key-file", key.toString(), "--read-data"));
        Path target = dir.resolve("restore");
        int restore = step(console, "restore latest --target " + target, List.of("restore", "--repo", repo.toString(),
                "--key-file", key.toString(), "latest", "--target", target.toString(), "--quiet"));
        console.out().println();
        console.out().println("compare:  diff -r " + sample + " " + target + sample
                + "   (scratch.tmp is left out by the job's exclude rule)");
        console.out().println("config:   " + config);
        return Math.max(check, restore);
    }

    private static int step(Console console, String title, List<String> command) {
        console.out().println("== sluice " + title);
        int code = Main.run(command, console);
        if (code != ExitCode.OK) {
            console.out().println("   (exit status " + code + ")");
        }
        return code;
    }

    private static String template() throws IOException {
        try (InputStream in = QuickstartCommand.class.getResourceAsStream("quickstart.yaml")) {
            if (in == null) {
                throw new IOException("the embedded quickstart.yaml is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void makeSample(Path sample) throws IOException {
        Random random = new Random(42);
        Path docs = Files.createDirectories(sample.resolve("docs"));
        StringBuilder text = new StringBuilder();
        String[] words = {"backup", "restore", "chunk", "snapshot", "sink", "source", "key", "pack", "tree", "hook"};
        for (int i = 0; i < 40_000; i++) {
            text.append(words[random.nextInt(words.length)]).append(i % 12 == 11 ? '\n' : ' ');
        }
        Files.writeString(docs.resolve("notes.txt"), text);
        byte[] blob = new byte[3 << 20];
        random.nextBytes(blob);
        Files.write(sample.resolve("random.bin"), blob);
        Files.writeString(sample.resolve("scratch.tmp"), "excluded by the job's rules\n");
        Files.createSymbolicLink(sample.resolve("link-to-notes"), Path.of("docs/notes.txt"));
        Files.createLink(sample.resolve("hardlink-to-random.bin"), sample.resolve("random.bin"));
        Path secret = Files.writeString(sample.resolve("private.conf"), "password = hunter2\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        byte[] odd = "caf\u00e9-".getBytes(StandardCharsets.UTF_8);
        byte[] name = new byte[odd.length + 2];
        System.arraycopy(odd, 0, name, 0, odd.length);
        name[odd.length] = (byte) 0xff;
        name[odd.length + 1] = 'x';
        Files.writeString(RawPath.resolve(sample, name), "a name that is not valid UTF-8\n");
    }
}
