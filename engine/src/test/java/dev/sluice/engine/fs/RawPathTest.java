package dev.sluice.engine.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawPathTest {

    @TempDir
    Path tmp;

    @Test
    void invalidUtf8AndNewlineNamesSurviveCreateListAndRead() throws IOException {
        byte[][] names = {TreeFixture.INVALID_UTF8, TreeFixture.LONE_C3, TreeFixture.NEWLINE,
                {(byte) 0x80}, "with space".getBytes(StandardCharsets.US_ASCII)};
        for (byte[] name : names) {
            Path p = RawPath.resolve(tmp, name);
            assertArrayEquals(name, RawPath.fileName(p));
            Files.write(p, name);
        }
        List<byte[]> listed = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
            for (Path p : ds) {
                byte[] name = RawPath.fileName(p);
                listed.add(name);
                assertArrayEquals(name, Files.readAllBytes(p), "content of " + RawPath.escape(name));
            }
        }
        assertEquals(names.length, listed.size());
        for (byte[] name : names) {
            assertTrue(listed.stream().anyMatch(l -> java.util.Arrays.equals(l, name)), RawPath.escape(name) + " listed");
        }
    }

    @Test
    void bytesRoundTripAndNormalizeSlashes() {
        byte[] raw = {'/', 'a', (byte) 0xff, '/', '\n'};
        assertArrayEquals(raw, RawPath.bytes(RawPath.of(raw)));
        assertArrayEquals("/a/b".getBytes(StandardCharsets.US_ASCII),
                RawPath.bytes(RawPath.of("//a///b/".getBytes(StandardCharsets.US_ASCII))));
        assertArrayEquals("/".getBytes(StandardCharsets.US_ASCII), RawPath.bytes(RawPath.of(new byte[] {'/'})));
    }

    @Test
    void linkTargetKeepsBytesExactly() throws IOException {
        byte[] target = {'x', '/', '/', 'y', '/', (byte) 0xc3};
        Path link = RawPath.resolve(tmp, "l".getBytes(StandardCharsets.US_ASCII));
        Files.createSymbolicLink(link, RawPath.linkTarget(target));
        assertArrayEquals(target, RawPath.bytes(Files.readSymbolicLink(link)));
    }

    @Test
    void resolveRejectsNamesThatAreNotASingleEntry() {
        for (String bad : new String[] {"", ".", "..", "a/b", "/", "a\0b"}) {
            byte[] b = bad.getBytes(StandardCharsets.US_ASCII);
            assertThrows(IllegalArgumentException.class, () -> RawPath.resolve(tmp, b), "name '" + bad + "'");
        }
        assertThrows(IllegalArgumentException.class, () -> RawPath.of(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> RawPath.of(new byte[] {'a', 0}));
        assertThrows(IllegalArgumentException.class, () -> RawPath.fileName(RawPath.of(new byte[] {'/'})));
    }

    @Test
    void escapeShowsNonPrintableBytes() {
        assertEquals("a\\x0ab\\xff\\\\", RawPath.escape(new byte[] {'a', '\n', 'b', (byte) 0xff, '\\'}));
    }
}
