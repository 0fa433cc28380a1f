package dev.sluice.engine.crypto;

/**
 * A sealed blob failed authentication: it was damaged, truncated, or opened with the wrong
 * key, kind or id.
 *
 * <p>Checked on purpose: a damaged blob is an expected condition for restore and check,
 * which must decide per blob whether to skip, report or abort.
 */
public class BlobAuthenticationException extends Exception {

    public BlobAuthenticationException(String message) {
        super(message);
    }

    public BlobAuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
