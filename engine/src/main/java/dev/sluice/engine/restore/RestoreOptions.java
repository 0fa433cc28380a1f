package dev.sluice.engine.restore;

import java.util.List;

/**
 * How to restore: which paths (absolute raw paths as stored; empty means everything),
 * and whether to set owners (only root can; the default is "when running as root").
 */
public record RestoreOptions(List<byte[]> include, boolean restoreOwnership) {
    public RestoreOptions {
        include = List.copyOf(include);
    }
}
