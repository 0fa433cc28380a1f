package dev.sluice.transport.frame;

import dev.sluice.transport.CloseReason;
import io.netty.handler.codec.DecoderException;

/** Signals that the bytes from a peer break the link's wire format; carries the close code to use. */
public final class FrameCodecException extends DecoderException {

    private final CloseReason.Code code;

    public FrameCodecException(CloseReason.Code code, String message) {
        super(message);
        this.code = code;
    }

    /** The reason code the link closes with. */
    public CloseReason.Code code() {
        return code;
    }

    /** The close reason this exception stands for (decided by this side). */
    public CloseReason reason() {
        return CloseReason.of(code, getMessage());
    }
}
