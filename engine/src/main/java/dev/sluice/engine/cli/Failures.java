package dev.sluice.engine.cli;

import dev.sluice.engine.crypto.KeyException;
import dev.sluice.engine.crypto.WrongKeyException;
import dev.sluice.engine.job.FailureSentence;
import dev.sluice.engine.job.OpenRepository;
import dev.sluice.engine.job.RepositoryTarget;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.RepositoryException;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.RepositoryLockedException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Translates the engine's failures (missing repository, wrong key, held lock, I/O) into
 * command failures with the documented exit codes and one clear sentence each.
 */
final class Failures {
    private Failures() {}

    static Repository openKeyless(java.nio.file.Path repo) throws CommandException {
        try {
            return Repository.open(repo);
        } catch (NoSuchFileException e) {
            throw new CommandException(ExitCode.NO_REPOSITORY, "no repository at " + repo, e);
        } catch (RepositoryException e) {
            throw new CommandException(ExitCode.NO_REPOSITORY, e.getMessage(), e);
        } catch (IOException e) {
            throw new CommandException(ExitCode.FAILURE, "cannot open repository " + repo + ": " + describe(e), e);
        }
    }

    static OpenRepository open(RepositoryTarget target, String compression, Integer level) throws CommandException {
        try {
            return OpenRepository.open(target, compression, level);
        } catch (NoSuchFileException e) {
            throw new CommandException(ExitCode.NO_REPOSITORY,
                    "no such file: " + e.getFile() + " (is " + target.repository() + " a repository?)", e);
        } catch (RepositoryException e) {
            throw new CommandException(ExitCode.NO_REPOSITORY, e.getMessage(), e);
        } catch (WrongKeyException e) {
            throw new CommandException(ExitCode.WRONG_KEY, e.getMessage(), e);
        } catch (KeyException e) {
            throw new CommandException(ExitCode.USAGE, e.getMessage(), e);
        } catch (IOException e) {
            throw new CommandException(ExitCode.FAILURE, "cannot open repository " + target.repository() + ": "
                    + describe(e), e);
        }
    }


    /**
     * Takes a lock on the repository at {@code root} before it is opened, so that what the caller then reads
     * (the index) cannot be changed by a prune in between; returns null if {@code root} has no config file
     * (opening it then reports the problem).
     */
    static RepositoryLock lockFirst(java.nio.file.Path root, boolean exclusive) throws CommandException {
        try {
            return RepositoryLock.acquireBeforeOpen(root,
                    exclusive ? RepositoryLock.Mode.EXCLUSIVE : RepositoryLock.Mode.SHARED,
                    RepositoryLock.Owner.current(), java.time.Clock.systemUTC());
        } catch (RepositoryLockedException e) {
            throw new CommandException(ExitCode.LOCKED, e.getMessage(), e);
        } catch (IOException e) {
            throw new CommandException(ExitCode.FAILURE, "cannot lock the repository: " + describe(e), e);
        }
    }


    static String describe(Throwable e) {
        return FailureSentence.of(e);
    }
}
