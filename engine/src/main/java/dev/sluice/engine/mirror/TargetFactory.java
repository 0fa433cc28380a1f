package dev.sluice.engine.mirror;

import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import java.io.IOException;
import java.nio.file.Path;

/** Opens the receiving side of one run on a target directory (the safe implementation lives in mirror.dest). */
@FunctionalInterface
public interface TargetFactory {
    MirrorTarget open(Path directory, MirrorOptions options) throws IOException;
}
