package dev.sluice.engine.mirror.dest;

import java.io.IOException;

/** The sender asked for something the receiver never does (a path outside the target, a limit exceeded, ...). */
public final class MirrorRefusedException extends IOException {
    public MirrorRefusedException(String message) {
        super(message);
    }
}
