package dev.sluice.engine.mirror;

import dev.sluice.engine.mirror.dest.MirrorTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

/** The real {@link MirrorTarget} for the mirror tests, and a look at the snapshots it made. */
final class MirrorTestTargets {
    private MirrorTestTargets() {
    }

    static TargetFactory factory() {
        return (dir, options) -> MirrorTarget.open(dir, options, Clock.systemUTC());
    }

    /** The complete snapshots under {@code target}, oldest first (partial trees start with a dot). */
    static List<Path> snapshots(Path target) throws IOException {
        if (!Files.isDirectory(target)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }
}
