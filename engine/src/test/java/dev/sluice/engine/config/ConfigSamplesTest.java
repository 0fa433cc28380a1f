package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Loads every YAML file under the repository's config-samples folder; new samples are picked up automatically. */
class ConfigSamplesTest {

    /** Surefire runs tests in the engine module's directory; the samples sit next to it. */
    private static final Path SAMPLES = Path.of("..", "config-samples");

    @TestFactory
    Stream<DynamicTest> everySampleLoadsWithoutProblems() throws IOException {
        assertTrue(Files.isDirectory(SAMPLES), () -> "config samples folder not found at " + SAMPLES.toAbsolutePath());
        List<Path> samples;
        try (Stream<Path> files = Files.walk(SAMPLES)) {
            samples = files.filter(Files::isRegularFile)
                    .filter(file -> file.getFileName().toString().endsWith(".yaml")
                            || file.getFileName().toString().endsWith(".yml"))
                    .sorted()
                    .collect(Collectors.toList());
        }
        assertFalse(samples.isEmpty(), () -> "no *.yaml files in " + SAMPLES.toAbsolutePath());
        return samples.stream().map(sample -> DynamicTest.dynamicTest(SAMPLES.relativize(sample).toString(), () -> {
            try {
                SluiceConfig config = ConfigLoader.load(sample);
                assertFalse(config.jobs().isEmpty() && config.global().mirror() == null,
                        sample + " defines no jobs and receives nothing");
            } catch (ConfigException problems) {
                fail("sample " + sample + " has problems:\n" + problems.getMessage());
            }
        }));
    }
}
