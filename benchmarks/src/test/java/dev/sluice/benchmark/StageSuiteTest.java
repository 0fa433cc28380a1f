package dev.sluice.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks that every stage benchmark maps to a limit benchmark that exists in this package. */
final class StageSuiteTest {

    @Test
    void everyStageMapsToAnExistingLimit() throws ClassNotFoundException {
        String[][] stages = {
            {"ChunkerBenchmark.cut", "params", "256/1024/8192"},
            {"ChunkIdBenchmark.id", null, null},
            {"CompressionBenchmark.compress", "data", "text"},
            {"CompressionBenchmark.decompress", "data", "random"},
            {"SealBenchmark.seal", null, null},
            {"SealBenchmark.open", null, null},
            {"FrameCodecBenchmark.encode", "frameSize", "262144"},
            {"FrameCodecBenchmark.decode", "frameSize", "1048576"},
            {"PackWriterBenchmark.add", null, null},
            {"BackupBenchmark.backup", null, null},
        };
        for (String[] s : stages) {
            StageSuite.Mapping m = StageSuite.mapping(s[0], s[1] == null ? Map.of() : Map.of(s[1], s[2]));
            assertNotNull(m, s[0]);
            assertEquals("MiB/s", m.unit());
            String limitClass = m.limit().substring(0, m.limit().indexOf('.'));
            Class.forName("dev.sluice.benchmark." + limitClass);
            Class.forName("dev.sluice.benchmark.stage." + s[0].substring(0, s[0].indexOf('.')));
        }
        StageSuite.Mapping index = StageSuite.mapping("IndexLookupBenchmark.containsAbsent", Map.of("entries", "10000000"));
        assertEquals("ids/s", index.unit());
        assertNull(index.limit());
        StageSuite.Mapping mirror = StageSuite.mapping("MirrorTargetBenchmark.newFiles", Map.of());
        assertEquals("files/s", mirror.unit());
        Class.forName("dev.sluice.benchmark.stage.MirrorTargetBenchmark");
        assertNull(StageSuite.mapping("Nothing.here", Map.of()));
    }
}
