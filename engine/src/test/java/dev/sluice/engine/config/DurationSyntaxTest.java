package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationSyntaxTest {

    @Test
    void parsesSingleUnits() {
        assertEquals(Duration.ofSeconds(90), DurationSyntax.parse("90s"));
        assertEquals(Duration.ofMinutes(15), DurationSyntax.parse("15m"));
        assertEquals(Duration.ofDays(2), DurationSyntax.parse("2d"));
        assertEquals(Duration.ofMillis(500), DurationSyntax.parse("500ms"));
        assertEquals(Duration.ofDays(7), DurationSyntax.parse("1w"));
        assertEquals(Duration.ZERO, DurationSyntax.parse("0s"));
    }

    @Test
    void parsesCombinationsFromLargestToSmallest() {
        assertEquals(Duration.ofMinutes(90), DurationSyntax.parse("1h30m"));
        assertEquals(Duration.ofDays(9).plusHours(4), DurationSyntax.parse("1w2d4h"));
        assertEquals(Duration.ofSeconds(61).plusMillis(5), DurationSyntax.parse("1m1s5ms"));
    }

    @Test
    void rejectsBareNumbersWithAnExample() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationSyntax.parse("300"));
        assertEquals("invalid duration '300': the number 300 has no unit; expected numbers with units w, d, h, m, s"
                + " or ms from largest to smallest, for example 90s, 15m or 1h30m", e.getMessage());
    }

    @Test
    void rejectsUnknownUnitsAndWrongOrder() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DurationSyntax.parse("5min"))
                .getMessage().contains("unknown unit 'min'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DurationSyntax.parse("30m1h"))
                .getMessage().contains("out of order"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DurationSyntax.parse("1m1m"))
                .getMessage().contains("out of order or repeated"));
        for (String text : new String[] {"", "h", "1.5h", "1h 30m", " 1h", "1H", "1hh", "PT1H"}) {
            assertThrows(IllegalArgumentException.class, () -> DurationSyntax.parse(text), text);
        }
    }

    @Test
    void rejectsNegativeDurations() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationSyntax.parse("-5m"));
        assertTrue(e.getMessage().contains("must not be negative"), e.getMessage());
    }

    @Test
    void rejectsOverflow() {
        for (String text : new String[] {"99999999999999999999s", "9223372036854775807w", "15250284452472w", "15250284452471w4d"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationSyntax.parse(text));
            assertTrue(e.getMessage().contains("too large"), e.getMessage());
        }
        assertEquals(Duration.ofSeconds(Long.MAX_VALUE), DurationSyntax.parse("9223372036854775807s"));
        assertEquals(Duration.ofDays(15250284452471L * 7 + 3), DurationSyntax.parse("15250284452471w3d"));
    }

    @Test
    void formatRoundTrips() {
        for (String text : new String[] {"0s", "500ms", "1m30s", "1h30m", "2d", "1w2d4h",
            "5m"}) {
            assertEquals(text, DurationSyntax.format(DurationSyntax.parse(text)));
        }
        assertThrows(IllegalArgumentException.class, () -> DurationSyntax.format(Duration.ofSeconds(-1)));
    }
}
