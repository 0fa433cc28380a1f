package dev.sluice.engine.job;

import java.nio.file.NoSuchFileException;

/** The one sentence a command or the daemon's log gives for a run's failure. */
public final class FailureSentence {
    private FailureSentence() {}

    /**
     * The message of the innermost exception that says something (wrappers without a message of their own are
     * skipped), with a missing file and a full disk said plainly.
     */
    public static String of(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.io.UncheckedIOException || t.getMessage() == null
                || t.getClass() == RuntimeException.class) && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (t instanceof NoSuchFileException n) {
            return "no such file: " + n.getFile();
        }
        if (m != null && m.contains("No space left on device")) {
            return "the disk is full (" + m + ")";
        }
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
