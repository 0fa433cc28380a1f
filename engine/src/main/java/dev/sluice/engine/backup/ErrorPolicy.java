package dev.sluice.engine.backup;

import dev.sluice.engine.scan.FileProblem;
import java.util.function.Consumer;

/**
 * Decides what a per-file problem (unreadable, vanished, changed while read) does to the
 * run: report it and go on, or abort. Problems never end a run by themselves.
 */
@FunctionalInterface
public interface ErrorPolicy {

    void onProblem(FileProblem problem);

    /** Reports each problem to the consumer and carries on; the run ends "completed with problems". */
    static ErrorPolicy report(Consumer<FileProblem> reporter) {
        return reporter::accept;
    }

    /** Aborts the run at the first problem; nothing is snapshotted. */
    static ErrorPolicy abort() {
        return p -> {
            throw new BackupAbortedException("aborted on " + p);
        };
    }
}
