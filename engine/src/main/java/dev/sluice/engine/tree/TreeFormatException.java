package dev.sluice.engine.tree;

import java.io.IOException;

/** A snapshot's metadata stream does not decode: it is damaged or from an unknown version. */
public final class TreeFormatException extends IOException {
    public TreeFormatException(String message) {
        super(message);
    }
}
