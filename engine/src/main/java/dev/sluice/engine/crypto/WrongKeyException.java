package dev.sluice.engine.crypto;

/** The key or password is well-formed but not the right one ("wrong password", "key does not belong to this repository"). */
public class WrongKeyException extends KeyException {

    public WrongKeyException(String message) {
        super(message);
    }

    public WrongKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
