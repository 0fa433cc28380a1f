package dev.sluice.engine.cli;

import dev.sluice.engine.chunk.ChunkerParams;
import dev.sluice.engine.content.RepositoryKeys;
import dev.sluice.engine.crypto.KeyFile;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositorySettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;

/** {@code sluice init}: creates a repository bound to a key file or a password. */
final class InitCommand implements Command {
    static final int DEFAULT_MIN = 256 * 1024;
    static final int DEFAULT_AVG = 1024 * 1024;
    static final int DEFAULT_MAX = 4 * 1024 * 1024;

    @Override public String name() { return "init"; }
    @Override public String summary() { return "create a new repository"; }
    @Override public Set<String> valued() {
        return Set.of("--repo", "--key-file", "--password-file", "--compression", "--compression-level",
                "--chunk-min", "--chunk-avg", "--chunk-max");
    }
    @Override public Set<String> flags() { return Set.of("--help"); }

    @Override
    public String help() {
        return """
                Usage: sluice init --repo DIR (--key-file FILE | --password-file FILE) [options]

                Creates an empty repository in DIR (which must not exist or be empty).
                With --key-file, the repository is bound to that key (see 'sluice key init').
                With --password-file (first line = password), a new random key is made and
                stored in the repository wrapped by the password (Argon2id). With both, the
                key file's key is used and also stored wrapped by the password.

                Options:
                  --repo DIR                 repository directory (or SLUICE_REPO)
                  --key-file FILE            key file (or SLUICE_KEY_FILE)
                  --password-file FILE       password file (or SLUICE_PASSWORD_FILE)
                  --compression zstd|none    default compression (zstd)
                  --compression-level N      zstd level 1..19 (3)
                  --chunk-min/--chunk-avg/--chunk-max BYTES
                                             content-defined chunk sizes (256 KiB / 1 MiB / 4 MiB)
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        Path repo = Path.of(args.required("--repo", "SLUICE_REPO"));
        Path keyFile = args.path("--key-file", "SLUICE_KEY_FILE");
        Path passwordFile = args.path("--password-file", "SLUICE_PASSWORD_FILE");
        if (keyFile == null && passwordFile == null) {
            throw new UsageException("init needs --key-file or --password-file "
                    + "(or SLUICE_KEY_FILE / SLUICE_PASSWORD_FILE); create a key with 'sluice key init'");
        }
        String compression = args.value("--compression") == null ? "zstd" : args.value("--compression");
        if (!compression.equals("zstd") && !compression.equals("none")) {
            throw new UsageException("--compression must be zstd or none, not '" + compression + "'");
        }
        int level = args.intValue("--compression-level", 3);
        ChunkerParams chunking;
        try {
            chunking = new ChunkerParams(args.intValue("--chunk-min", DEFAULT_MIN),
                    args.intValue("--chunk-avg", DEFAULT_AVG), args.intValue("--chunk-max", DEFAULT_MAX));
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad chunk sizes: " + e.getMessage());
        }
        SecureRandom random = new SecureRandom();
        MasterKey key = keyFile != null ? KeyFile.read(keyFile) : MasterKey.generate(random);
        char[] password = passwordFile != null ? RepositoryKeys.readPassword(passwordFile) : null;
        try (Repository r = Repository.init(repo, RepositorySettings.createDefault(console.clock(), random)
                .withChunker(chunking.min(), chunking.avg(), chunking.max()).withCompression(compression, level))) {
            RepositoryKeys.initialize(r, key, password, random);
            console.out().println("created repository " + repo + " (id " + r.settings().repositoryId().substring(0, 8) + ")");
        } finally {
            key.destroy();
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
        return ExitCode.OK;
    }
}
