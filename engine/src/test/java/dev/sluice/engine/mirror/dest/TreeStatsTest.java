package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.engine.fs.PosixStat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths are looked up inside the tree only: no symlinked directory, no "..", no absolute path. */
class TreeStatsTest {
    @TempDir
    Path tmp;

    private static byte[] p(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void statsFilesInTheTreeAndNothingOutsideIt() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree/a/b"));
        Files.writeString(tmp.resolve("tree/a/b/f"), "f");
        Files.writeString(tmp.resolve("tree/a/g"), "g");
        Files.writeString(tmp.resolve("outside"), "o");
        Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(tmp.resolve("elsewhere/f"), "e");
        Files.createSymbolicLink(tmp.resolve("tree/link"), tmp.resolve("elsewhere"));
        try (DirectoryHandle root = DirectoryHandle.openRoot(tmp.resolve("tree"));
                TreeStats stats = new TreeStats(root, MirrorLimits.DEFAULT)) {
            PosixStat f = PosixStat.lstat(tmp.resolve("tree/a/b/f"));
            assertArrayEquals(new long[] {f.dev(), f.ino(), f.ctimeNanos()}, stats.stat(p("a/b/f")));
            assertNotNull(stats.stat(p("a/g")), "a shorter path after a longer one");
            assertNull(stats.stat(p("link/f")), "a symlinked directory is not followed");
            assertNull(stats.stat(p("../outside")));
            assertNull(stats.stat(p("a/../../outside")));
            assertNull(stats.stat(p("/etc/passwd")));
            assertNull(stats.stat(p("a//g")));
            assertNull(stats.stat(p("a/missing")));
            assertNotNull(stats.stat(p("a/b/f")), "the chain recovers after misses");
        }
    }
}
