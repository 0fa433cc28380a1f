package dev.sluice.engine.cli;

import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryLock;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code sluice unlock}: removes the stale locks of this host (their process no longer runs), for
 * example after a prune or backup was killed; locks of live processes and of other hosts stay.
 */
final class UnlockCommand implements Command {
    @Override public String name() { return "unlock"; }
    @Override public String summary() { return "remove stale locks left by killed sluice processes of this host"; }
    @Override public Set<String> valued() { return Set.of("--repo"); }
    @Override public Set<String> flags() { return Set.of("--help"); }

    @Override
    public String help() {
        return """
                Usage: sluice unlock --repo DIR

                Removes the locks that sluice processes of this host left when they were killed
                (the process id no longer runs). Locks of running processes, and of other hosts,
                are listed and left alone. Needs no key.
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        Path repoPath = Path.of(args.required("--repo", "SLUICE_REPO"));
        try (Repository repo = Failures.openKeyless(repoPath)) {
            String host = RepositoryLock.Owner.current().host();
            List<RepositoryLock.LockInfo> removed = RepositoryLock.removeStale(repo.layout(), host);
            for (RepositoryLock.LockInfo lock : removed) {
                console.out().println("removed stale " + lock.mode().name().toLowerCase(java.util.Locale.ROOT)
                        + " lock of pid " + lock.pid() + " since " + lock.time() + " (" + lock.file().getFileName() + ")");
            }
            for (RepositoryLock.LockInfo lock : RepositoryLock.list(repo.layout())) {
                console.out().println("still held: " + lock.mode().name().toLowerCase(java.util.Locale.ROOT)
                        + " lock by host " + lock.host() + " pid " + lock.pid() + " since " + lock.time());
            }
            console.out().println(removed.size() + " stale lock(s) removed");
        }
        return ExitCode.OK;
    }
}
