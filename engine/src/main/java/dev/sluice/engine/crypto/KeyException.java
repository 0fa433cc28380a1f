package dev.sluice.engine.crypto;

/** A key could not be loaded, decoded or unlocked; the message names the file or the reason. */
public class KeyException extends Exception {

    public KeyException(String message) {
        super(message);
    }

    public KeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
