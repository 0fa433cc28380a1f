package dev.sluice.engine.mirror;

import java.io.IOException;

/** A mirror run stopped because its job was cancelled at this side ({@link MirrorSender#cancel}); the message says why. */
public final class MirrorCancelledException extends IOException {
    private static final long serialVersionUID = 1L;

    public MirrorCancelledException(String reason) {
        super(reason);
    }

    /** Whether {@code t} or one of its causes is a cancel (the sender wraps its failures once more). */
    public static boolean in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof MirrorCancelledException) {
                return true;
            }
        }
        return false;
    }
}
