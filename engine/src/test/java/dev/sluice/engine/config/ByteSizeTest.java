package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void plainNumbersAreBytes() {
        assertEquals(0, ByteSize.parse("0").bytes());
        assertEquals(4096, ByteSize.parse("4096").bytes());
        assertEquals(17, ByteSize.parse("17B").bytes());
    }

    @Test
    void binaryUnitsArePowersOf1024() {
        assertEquals(512L << 10, ByteSize.parse("512KiB").bytes());
        assertEquals(64L << 20, ByteSize.parse("64MiB").bytes());
        assertEquals(3L << 30, ByteSize.parse("3GiB").bytes());
        assertEquals(2L << 40, ByteSize.parse("2TiB").bytes());
        assertEquals(64L << 20, ByteSize.parse("64 MiB").bytes());
    }

    @Test
    void decimalUnitsArePowersOf1000() {
        assertEquals(1_000, ByteSize.parse("1KB").bytes());
        assertEquals(5_000_000, ByteSize.parse("5MB").bytes());
        assertEquals(7_000_000_000L, ByteSize.parse("7GB").bytes());
        assertEquals(1_000_000_000_000L, ByteSize.parse("1TB").bytes());
    }

    @Test
    void unitsAreCaseSensitive() {
        for (String text : new String[] {"64mib", "64MIB", "1kb", "1kB", "3gb", "10b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
            assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("for example 64MiB"), e.getMessage());
        }
    }

    @Test
    void rejectsMalformedText() {
        for (String text : new String[] {"", "MiB", "1.5GiB", "1e6", "+5", "5 ", " 5", "5  MiB", "ten", "0x10", "5XiB"}) {
            assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text), text);
        }
    }

    @Test
    void rejectsNegativeSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("-5MiB"));
        assertTrue(e.getMessage().contains("must not be negative"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> new ByteSize(-1));
    }

    @Test
    void rejectsOverflow() {
        assertEquals(Long.MAX_VALUE, ByteSize.parse(Long.toString(Long.MAX_VALUE)).bytes());
        assertEquals(8191L << 40, ByteSize.parse("8191TiB").bytes());
        for (String text : new String[] {"9223372036854775808", "8388608TiB", "9999999999999999999999GiB",
            "9300000TB"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
            assertTrue(e.getMessage().contains("larger than the maximum"), e.getMessage());
        }
    }

    @Test
    void formatsInTheLargestExactBinaryUnit() {
        assertEquals("64MiB", new ByteSize(64L << 20).toString());
        assertEquals("1536KiB", new ByteSize(1536L << 10).toString());
        assertEquals("1000B", new ByteSize(1000).toString());
        assertEquals("0B", new ByteSize(0).toString());
        assertEquals("2TiB", ByteSize.format(2L << 40));
    }
}
