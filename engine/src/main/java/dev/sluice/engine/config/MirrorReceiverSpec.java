package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this machine receives as a mirror receiver ({@code global.mirror}): for each peer identity (from the
 * listener's certificate map or stdinserver socket), the target names it may write and their directories.
 */
public record MirrorReceiverSpec(Map<String, Map<String, Path>> clients) {

    public MirrorReceiverSpec {
        Map<String, Map<String, Path>> copy = new TreeMap<>();
        clients.forEach((identity, targets) -> {
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("mirror client '" + identity + "' is listed with no target");
            }
            copy.put(identity, Map.copyOf(targets));
        });
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("global.mirror needs at least one client");
        }
        clients = Map.copyOf(copy);
    }
}
