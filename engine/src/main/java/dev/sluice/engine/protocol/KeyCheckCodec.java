package dev.sluice.engine.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * KEY_CHECK, the answer to GET_KEY_CHECK (request id only): request id, u16 length + repository id (ASCII), u16
 * length + the key-less key check token, so a key holder can verify its key before it sends or reads anything.
 */
public final class KeyCheckCodec {
    /** The longest key check token a sink sends. */
    public static final int MAX_CHECK = 1024;

    private KeyCheckCodec() {
    }

    /** A decoded KEY_CHECK: the sink repository's id and its key check token. */
    public record Answer(int requestId, String repositoryId, byte[] check) {
    }

    public static byte[] answer(int requestId, String repositoryId, byte[] check) {
        byte[] repo = repositoryId.getBytes(StandardCharsets.US_ASCII);
        if (check.length > MAX_CHECK || repo.length > 1024) {
            throw new IllegalArgumentException("a key check of " + check.length + " bytes (repository id of "
                    + repo.length + ") does not fit a KEY_CHECK");
        }
        return ByteBuffer.allocate(4 + 2 + repo.length + 2 + check.length).putInt(requestId)
                .putShort((short) repo.length).put(repo).putShort((short) check.length).put(check).array();
    }

    public static Answer decode(byte[] payload) throws ProtocolException {
        PayloadReader r = new PayloadReader(MessageType.KEY_CHECK, payload);
        int id = r.requestId();
        String repositoryId = r.text("repository id");
        int n = r.u16("key check length");
        if (n > MAX_CHECK) {
            throw r.malformed("key check length " + n + " is above " + MAX_CHECK);
        }
        byte[] check = r.bytes(n, "key check");
        r.end();
        return new Answer(id, repositoryId, check);
    }
}
