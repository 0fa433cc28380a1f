package dev.sluice.engine.repository;

import java.io.IOException;

/** A repository file is missing, damaged, of an unsupported version, or an operation is refused. */
public class RepositoryException extends IOException {
    public RepositoryException(String message) {
        super(message);
    }

    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
