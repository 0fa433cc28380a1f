package dev.sluice.engine.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GlobTest {

    private static boolean m(String pattern, String path) {
        return Glob.compile(pattern.getBytes(StandardCharsets.ISO_8859_1)).matches(path.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    @Test
    void unanchoredPatternsMatchTrailingComponents() {
        assertEquals(true, m("*.tmp", "/a/b/c.tmp"));
        assertEquals(true, m("*.tmp", "/c.tmp"));
        assertEquals(false, m("*.tmp", "/a/c.tmp/d"));
        assertEquals(true, m("cache/tmp", "/x/cache/tmp"));
        assertEquals(true, m("cache/tmp", "/cache/tmp"));
        assertEquals(false, m("cache/tmp", "/x/mycache/tmp"));
        assertEquals(false, m("cache/tmp", "/x/cache/tmp2"));
        assertEquals(true, m("c?che", "/x/cache"));
        assertEquals(false, m("a?b", "/a/b"));
    }

    @Test
    void anchoredPatternsMatchTheWholePath() {
        assertEquals(true, m("/x/*", "/x/y"));
        assertEquals(false, m("/x/*", "/x/y/z"));
        assertEquals(true, m("/x/**", "/x/y/z"));
        assertEquals(false, m("/x/y", "/a/x/y"));
        assertEquals(true, m("/a/**/b", "/a/b"));
        assertEquals(true, m("/a/**/b", "/a/x/y/b"));
        assertEquals(false, m("/a/**/b", "/a/xb"));
        assertEquals(true, m("/**.log", "/var/log/x.log"));
    }

    @Test
    void classesAndEscapesWorkOnRawBytes() {
        assertEquals(true, m("[a-c]x", "/bx"));
        assertEquals(false, m("[!a-c]x", "/bx"));
        assertEquals(true, m("[^a-c]x", "/dx"));
        assertEquals(true, m("[\u0080-\u00ff]", "/\u00c3"));
        assertEquals(false, m("[\u0080-\u00ff]", "/a"));
        assertEquals(true, m("[]]", "/]"));
        assertEquals(true, m("\\*", "/*"));
        assertEquals(false, m("\\*", "/a"));
        assertEquals(true, m("new\nline", "/d/new\nline"));
        assertEquals(false, m("a[/]b", "/a/b"));
    }

    @Test
    void trailingSlashMatchesDirectoriesOnly() {
        Glob g = Glob.compile("cache/".getBytes(StandardCharsets.US_ASCII));
        assertEquals(true, g.matches("/x/cache".getBytes(StandardCharsets.US_ASCII), true));
        assertEquals(false, g.matches("/x/cache".getBytes(StandardCharsets.US_ASCII), false));
    }

    @Test
    void badPatternsAreRejected() {
        for (String bad : new String[] {"", "[abc", "a\\", "[z-a]"}) {
            assertThrows(IllegalArgumentException.class, () -> Glob.compile(bad.getBytes(StandardCharsets.US_ASCII)), bad);
        }
    }

    @Test
    void manyStarsStayFast() {
        String path = "/" + "a".repeat(3000) + "b";
        assertEquals(false, m("*a*a*a*a*a*a*a*a*a*a*c", path));
        assertEquals(true, m("**a**a**a**b", path));
    }
}
