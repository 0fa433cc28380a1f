package dev.sluice.engine.mirror;

import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.transport.PeerIdentity;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Which target directories each authenticated peer may mirror into, by target name (from the receiver's
 * configuration, {@code global.mirror.clients}); the identity comes from the link, never from a message.
 */
public record MirrorPolicy(Map<PeerIdentity, Map<String, Path>> targets) {

    public MirrorPolicy {
        Map<PeerIdentity, Map<String, Path>> copy = new HashMap<>();
        targets.forEach((peer, byName) -> copy.put(peer, Map.copyOf(byName)));
        targets = Map.copyOf(copy);
    }

    /** The directory of target {@code name} for {@code peer}, or JOB_NOT_ALLOWED. */
    public Path resolve(PeerIdentity peer, String name) throws ProtocolException {
        Path dir = targets.getOrDefault(peer, Map.of()).get(name);
        if (dir == null) {
            throw new ProtocolException(ErrorCode.JOB_NOT_ALLOWED, "peer '" + peer.name()
                    + "' may not mirror into target '" + name + "' on this receiver");
        }
        return dir;
    }
}
