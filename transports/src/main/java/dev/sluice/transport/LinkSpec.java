package dev.sluice.transport;

import java.time.Duration;

/**
 * Limits every link of a transport applies.
 *
 * @param maxFrameLength   the largest payload this side accepts, in bytes (checked before
 *                         anything is buffered; announced to the peer in the handshake)
 * @param handshakeTimeout how long the version handshake (after TLS) may take
 */
public record LinkSpec(int maxFrameLength, Duration handshakeTimeout) {

    /** 16 MiB frames (room for a pack-sized batch of chunks) and a 10 second handshake. */
    public static final LinkSpec DEFAULT = new LinkSpec(16 * 1024 * 1024, Duration.ofSeconds(10));

    /** The smallest maximum frame length a link may be configured with. */
    public static final int MIN_FRAME_LENGTH = 4096;

    public LinkSpec {
        if (maxFrameLength < MIN_FRAME_LENGTH) {
            throw new IllegalArgumentException("maximum frame length " + maxFrameLength + " is below "
                    + MIN_FRAME_LENGTH + " bytes");
        }
        if (handshakeTimeout == null || handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout " + handshakeTimeout + " must be positive");
        }
    }

    /** A copy with another maximum frame length. */
    public LinkSpec withMaxFrameLength(int bytes) {
        return new LinkSpec(bytes, handshakeTimeout);
    }

    /** A copy with another handshake timeout. */
    public LinkSpec withHandshakeTimeout(Duration timeout) {
        return new LinkSpec(maxFrameLength, timeout);
    }
}
