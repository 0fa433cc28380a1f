package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The records validate in their constructors, so code that builds them without a file cannot make bad values. */
class SpecRecordsTest {

    private static JobSpec job(String name, List<Path> paths, Path keyFile, Path passwordFile, List<HookSpec> hooks) {
        return new JobSpec(name, JobType.BACKUP, paths, List.of(), List.of(), false, true,
                new LocalRepositorySpec(Path.of("/r")), keyFile, passwordFile, ChunkerSpec.DEFAULT,
                CompressionSpec.DEFAULT, hooks, (RetentionSpec) null);
    }

    @Test
    void chunkerBounds() {
        new ChunkerSpec(1 << 10, 2 << 10, 64 << 20);
        assertThrows(IllegalArgumentException.class, () -> new ChunkerSpec(1023, 2 << 10, 4 << 10));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerSpec(1 << 10, 2 << 10, (64 << 20) + 1));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerSpec(1 << 20, 1 << 20, 4 << 20));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerSpec(1 << 10, 4 << 20, 4 << 20));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerSpec(1 << 10, 3 << 10, 4 << 20));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerSpec(1 << 10, 0, 4 << 20));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerSpec(1 << 10, Long.MIN_VALUE, 4 << 20));
    }

    @Test
    void compressionLevels() {
        new CompressionSpec("zstd", 1);
        new CompressionSpec("zstd", 19);
        assertThrows(IllegalArgumentException.class, () -> new CompressionSpec("zstd", 0));
        assertThrows(IllegalArgumentException.class, () -> new CompressionSpec("zstd", 20));
        assertThrows(IllegalArgumentException.class, () -> new CompressionSpec("none", 3));
        assertThrows(IllegalArgumentException.class, () -> new CompressionSpec("gzip", 3));
    }

    @Test
    void jobNames() {
        job("a", List.of(Path.of("/")), null, null, List.of());
        job("A1._-" + "x".repeat(59), List.of(Path.of("/")), null, null, List.of());
        for (String bad : new String[] {"", "-a", ".a", "_a", "a b", "a/b", "x".repeat(65), "é"}) {
            assertThrows(IllegalArgumentException.class, () -> job(bad, List.of(Path.of("/")), null, null, List.of()),
                    bad);
        }
    }

    @Test
    void jobNeedsPathsAndAtMostOneKeySource() {
        assertThrows(IllegalArgumentException.class, () -> job("a", List.of(), null, null, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> job("a", List.of(Path.of("/")), Path.of("/k"), Path.of("/p"), List.of()));
        job("a", List.of(Path.of("/")), Path.of("/k"), null, List.of());
        job("a", List.of(Path.of("/")), null, Path.of("/p"), List.of());
    }

    @Test
    void listsAreCopied() {
        List<Path> paths = new ArrayList<>(List.of(Path.of("/a")));
        JobSpec spec = job("a", paths, null, null, List.of());
        paths.add(Path.of("/b"));
        assertEquals(List.of(Path.of("/a")), spec.paths());
        assertThrows(UnsupportedOperationException.class, () -> spec.paths().add(Path.of("/c")));
        List<String> args = new ArrayList<>(List.of("x"));
        HookSpec hook = new HookSpec("job.end", Path.of("/h"), args, Duration.ofSeconds(1), HookSpec.OnError.WARN, false);
        args.clear();
        assertEquals(List.of("x"), hook.args());
    }

    @Test
    void hookPointAndTimeout() {
        assertEquals(List.of("job.start", "snapshot.pre", "transfer.pre", "transfer.post", "snapshot.post", "prune.post",
                "job.end"), HookSpec.points());
        assertThrows(IllegalArgumentException.class, () -> new HookSpec("job.begin", Path.of("/h"), List.of(),
                Duration.ofSeconds(1), HookSpec.OnError.ABORT, false));
        assertThrows(IllegalArgumentException.class, () -> new HookSpec("job.end", Path.of("/h"), List.of(),
                Duration.ZERO, HookSpec.OnError.ABORT, false));
    }

    @Test
    void configFindsJobsByNameAndRejectsDuplicates() {
        JobSpec a = job("a", List.of(Path.of("/")), null, null, List.of());
        GlobalSpec global = new GlobalSpec(GlobalSpec.DEFAULT_RUNTIME_DIR, "info", "h");
        SluiceConfig config = new SluiceConfig(Path.of("s.yaml"), global, List.of(a));
        assertEquals(Optional.of(a), config.job("a"));
        assertTrue(config.job("b").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new SluiceConfig(Path.of("s.yaml"), global, List.of(a, a)));
    }

    @Test
    void globalValues() {
        assertThrows(IllegalArgumentException.class, () -> new GlobalSpec(Path.of("/run"), "trace", "h"));
        assertThrows(IllegalArgumentException.class, () -> new GlobalSpec(Path.of("/run"), "info", ""));
        assertThrows(IllegalArgumentException.class, () -> new GlobalSpec(Path.of("/run"), "info", "a b"));
    }

    @Test
    void problemRendering() {
        assertEquals("f.yaml:3:7: jobs[0].name: bad", new ConfigProblem("f.yaml", 3, 7, "jobs[0].name", "bad").toString());
        assertEquals("f.yaml:1:1: empty", new ConfigProblem("f.yaml", 1, 1, "", "empty").toString());
        assertEquals("f.yaml: unreadable", new ConfigProblem("f.yaml", 0, 0, "", "unreadable").toString());
        assertThrows(IllegalArgumentException.class, () -> new ConfigException(List.of()));
    }

    @Test
    void keySuggestions() {
        List<String> known = List.of("exclude", "include", "one_file_system", "paths", "name");
        assertEquals(Optional.of("exclude"), KeySuggestion.closest("exlude", known));
        assertEquals(Optional.of("name"), KeySuggestion.closest("nmae", known));
        assertEquals(Optional.of("one_file_system"), KeySuggestion.closest("one-file-system", known));
        assertEquals(Optional.of("paths"), KeySuggestion.closest("Paths", known));
        assertEquals(Optional.empty(), KeySuggestion.closest("retention", known));
        assertEquals(Optional.empty(), KeySuggestion.closest("x", known));
    }
}
