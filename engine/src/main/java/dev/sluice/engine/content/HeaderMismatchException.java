package dev.sluice.engine.content;

import java.io.IOException;

/**
 * A snapshot record's clear header says what the source did not seal: a key-less holder of the repository (a
 * sink, a thief of its disk) rewrote it. The snapshot is refused where the key reads it.
 */
public final class HeaderMismatchException extends IOException {
    public HeaderMismatchException(String message) {
        super(message);
    }
}
