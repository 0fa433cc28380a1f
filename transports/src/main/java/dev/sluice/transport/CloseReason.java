package dev.sluice.transport;

import java.util.Objects;

/**
 * Why a {@link Link} ended, and which side decided it.
 *
 * @param code   the kind of ending
 * @param detail a sentence for logs and users, never null
 * @param byPeer true when the peer told us this reason in a close message
 */
public record CloseReason(Code code, String detail, boolean byPeer) {

    /** The kinds of endings; each has a stable number used on the wire. */
    public enum Code {
        /** The conversation is over; both sides agree. */
        NORMAL(0),
        /** The peer broke the frame or handshake rules (garbage, unknown control message). */
        PROTOCOL_ERROR(1),
        /** A frame longer than the receiver's maximum was announced. */
        FRAME_TOO_LARGE(2),
        /** The peer speaks another protocol version. */
        VERSION_MISMATCH(3),
        /** The peer is not allowed (certificate name not configured, and the like). */
        AUTHENTICATION_FAILED(4),
        /** The handshake did not finish in time. */
        HANDSHAKE_TIMEOUT(5),
        /** The connection ended inside a frame or before the handshake finished. */
        TRUNCATED(6),
        /** The peer closed the connection without saying why. */
        PEER_GONE(7),
        /** A network or I/O error. */
        TRANSPORT_ERROR(8),
        /** The engine on this side gave up (its own error); the detail says why. */
        APPLICATION_ERROR(9),
        /** This side is shutting down. */
        SHUTDOWN(10);

        private final int wire;

        Code(int wire) {
            this.wire = wire;
        }

        /** The number sent in a close message. */
        public int wire() {
            return wire;
        }

        /** The code for a number received in a close message; unknown numbers become PROTOCOL_ERROR. */
        public static Code fromWire(int wire) {
            for (Code c : values()) {
                if (c.wire == wire) {
                    return c;
                }
            }
            return PROTOCOL_ERROR;
        }
    }

    public CloseReason {
        Objects.requireNonNull(code, "close reason code");
        detail = detail == null || detail.isBlank() ? code.name().toLowerCase().replace('_', ' ') : detail;
    }

    /** A normal, locally decided close. */
    public static CloseReason normal() {
        return new CloseReason(Code.NORMAL, "closed normally", false);
    }

    /** A locally decided close with the given code and detail. */
    public static CloseReason of(Code code, String detail) {
        return new CloseReason(code, detail, false);
    }

    /** Whether this is a normal ending. */
    public boolean isNormal() {
        return code == Code.NORMAL;
    }

    @Override
    public String toString() {
        return (byPeer ? "closed by peer: " : "") + code.name().toLowerCase().replace('_', ' ') + ": " + detail;
    }
}
