package dev.sluice.engine.scan;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleMatcherTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void excludesMatchAnyTrailingComponentsAndDirectoryOnlyPatternsOnlyDirectories() {
        RuleMatcher m = new RuleMatcher(ScanRules.of(List.of(), List.of("*.tmp", "cache/", "/top"), false, false));
        assertTrue(m.leavesOut(b("/a/b/x.tmp"), false));
        assertTrue(m.leavesOut(b("/x/cache"), true));
        assertFalse(m.leavesOut(b("/x/cache"), false));
        assertTrue(m.leavesOut(b("/top"), false));
        assertFalse(m.leavesOut(b("/a/top"), false));
        assertFalse(m.leavesOut(b("/a/b/x.txt"), false));
    }

    @Test
    void withIncludesAFileIsLeftOutUnlessItOrADirectoryAboveMatches() {
        RuleMatcher m = new RuleMatcher(ScanRules.of(List.of("/etc", "*.conf"), List.of("secret*"), false, false));
        assertFalse(m.leavesOut(b("/etc/passwd"), false));
        assertFalse(m.leavesOut(b("/srv/app.conf"), false));
        assertTrue(m.leavesOut(b("/srv/app.log"), false));
        assertFalse(m.leavesOut(b("/srv"), true), "directories are always kept for the paths below them");
        assertTrue(m.leavesOut(b("/etc/secret.key"), false), "exclude wins over include");
    }
}
