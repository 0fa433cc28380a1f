package dev.sluice.engine.protocol;

import java.io.IOException;

/** A request the other side refused, or a payload that broke the protocol; carries the error code. */
public final class ProtocolException extends IOException {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
