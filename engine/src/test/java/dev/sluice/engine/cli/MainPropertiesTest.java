package dev.sluice.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The properties every sluice process runs with: set when absent, left alone when given with -D. */
class MainPropertiesTest {
    private static final String JFR = "io.netty.jfr.enabled";
    private static final String CACHED = "jdk.nio.maxCachedBufferSize";
    private Properties saved;

    @BeforeEach
    void save() {
        saved = (Properties) System.getProperties().clone();
    }

    @AfterEach
    void restore() {
        System.setProperties(saved);
    }

    @Test
    void nettysJfrEventsAreOffAndTheNioBufferCacheIsCappedByDefault() {
        System.clearProperty(JFR);
        System.clearProperty(CACHED);
        Main.defaultProperties();
        assertEquals("false", System.getProperty(JFR));
        assertEquals("262144", System.getProperty(CACHED));
    }

    @Test
    void valuesGivenOnTheCommandLineWin() {
        System.setProperty(JFR, "true");
        System.setProperty(CACHED, "1048576");
        Main.defaultProperties();
        assertEquals("true", System.getProperty(JFR));
        assertEquals("1048576", System.getProperty(CACHED));
    }
}
