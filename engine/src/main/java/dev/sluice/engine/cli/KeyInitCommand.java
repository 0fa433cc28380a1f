package dev.sluice.engine.cli;

import dev.sluice.engine.crypto.KeyFile;
import dev.sluice.engine.crypto.MasterKey;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Set;

/** {@code sluice key init --key-file K}: writes a new random master key, mode 0600. */
final class KeyInitCommand implements Command {
    @Override public String name() { return "key init"; }
    @Override public String summary() { return "create a new random key file (mode 0600)"; }
    @Override public Set<String> valued() { return Set.of("--key-file"); }
    @Override public Set<String> flags() { return Set.of("--help"); }

    @Override
    public String help() {
        return """
                Usage: sluice key init --key-file FILE

                Creates FILE with a new random 512-bit master key, readable only by you
                (mode 0600). It refuses to overwrite an existing file. Keep a copy of the
                key somewhere safe: without it, nothing in a repository can be read.

                Options:
                  --key-file FILE   where to write the key (or SLUICE_KEY_FILE)
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        Path file = Path.of(args.required("--key-file", "SLUICE_KEY_FILE"));
        if (!args.positional().isEmpty()) {
            throw new UsageException("unexpected argument " + args.positional().get(0));
        }
        MasterKey key = MasterKey.generate(new SecureRandom());
        try {
            KeyFile.create(file, key);
        } finally {
            key.destroy();
        }
        console.out().println("created key file " + file);
        console.err().println("keep a copy of it somewhere safe: without it the backups cannot be read");
        return ExitCode.OK;
    }
}
