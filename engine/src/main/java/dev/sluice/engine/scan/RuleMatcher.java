package dev.sluice.engine.scan;

import java.util.List;
import java.util.Objects;

/**
 * Answers, for one path, whether a scan under given {@link ScanRules} would leave it out; used where
 * the rules must be applied to paths that are not being walked (a mirror receiver protecting excluded names).
 */
public final class RuleMatcher {

    private final List<Glob> includes;
    private final List<Glob> excludes;

    public RuleMatcher(ScanRules rules) {
        Objects.requireNonNull(rules, "rules");
        this.includes = rules.compiledIncludes();
        this.excludes = rules.compiledExcludes();
    }

    /**
     * True when a scan would not emit the entry at the absolute normalized path {@code path}: an exclude
     * pattern matches it, or include patterns exist and a non-directory matches none of them (neither
     * itself nor a directory above it). Directories above the entry are not checked against excludes.
     */
    public boolean leavesOut(byte[] path, boolean isDirectory) {
        for (Glob g : excludes) {
            if (g.matches(path, isDirectory)) {
                return true;
            }
        }
        if (includes.isEmpty() || isDirectory) {
            return false;
        }
        for (int end = path.length; end > 0; end = lastSlash(path, end)) {
            byte[] prefix = end == path.length ? path : java.util.Arrays.copyOf(path, end);
            boolean dir = end != path.length;
            for (Glob g : includes) {
                if (g.matches(prefix, dir)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static int lastSlash(byte[] path, int end) {
        for (int i = end - 1; i > 0; i--) {
            if (path[i] == '/') {
                return i;
            }
        }
        return 0;
    }
}
