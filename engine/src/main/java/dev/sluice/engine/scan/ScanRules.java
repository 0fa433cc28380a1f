package dev.sluice.engine.scan;

import java.util.List;
import java.util.Objects;

/**
 * Which entries a scan keeps: include and exclude globs over raw path bytes, whether to stay on
 * each root's file system, and whether to skip the contents of tagged cache directories.
 *
 * <h2>Glob syntax (on bytes, never decoded)</h2>
 * <ul>
 *   <li>{@code *} any run of bytes except '/'; {@code **} any run of bytes including '/';
 *       {@code **}{@code /} any run of whole components, including none (so {@code a/**}{@code /b}
 *       matches {@code a/b} and {@code a/x/y/b});</li>
 *   <li>{@code ?} exactly one byte other than '/';</li>
 *   <li>{@code [abc]}, {@code [a-z]}, {@code [!a-z]} or {@code [^a-z]}: one byte (other than '/')
 *       in or not in the class; ranges compare unsigned byte values; a ']' right after the
 *       opening '[' (or '[!') is a member;</li>
 *   <li>{@code \x} the byte x literally;</li>
 *   <li>a trailing '/' makes the pattern match directories only.</li>
 * </ul>
 * A pattern starting with '/' is matched against the whole absolute path of the entry. Any other
 * pattern matches any trailing run of whole path components: {@code *.tmp} matches every
 * {@code .tmp} entry at any depth, {@code cache/tmp} matches {@code /x/cache/tmp} but not
 * {@code /x/mycache/tmp}. Patterns are given as Strings and encoded as UTF-8; use
 * {@link #ofBytes} for patterns that are not valid UTF-8.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>An entry matching an exclude pattern is not emitted; an excluded directory is not
 *       entered, so everything under it is excluded too. Exclude wins over include.</li>
 *   <li>When include patterns exist, a non-directory entry is emitted only if it, or one of the
 *       directories above it, matches an include pattern. Directories are always walked and
 *       emitted (unless excluded), so the restore can recreate the path to each included file.</li>
 *   <li>The roots themselves are not subject to the rules: a root named explicitly is scanned.</li>
 *   <li>{@code oneFileSystem}: a directory whose device differs from its root's is emitted but
 *       not entered.</li>
 *   <li>{@code excludeCaches}: a directory holding a regular file {@code CACHEDIR.TAG} whose content
 *       starts with {@code Signature: 8a477f597d28d172789f06886806bc55} is emitted together with
 *       the tag file and nothing else inside it.</li>
 * </ul>
 */
public record ScanRules(List<byte[]> includes, List<byte[]> excludes, boolean oneFileSystem, boolean excludeCaches) {

    public ScanRules {
        includes = copy(includes, "includes");
        excludes = copy(excludes, "excludes");
        for (byte[] p : includes) {
            Glob.compile(p);
        }
        for (byte[] p : excludes) {
            Glob.compile(p);
        }
    }

    /** No patterns, crossing file systems, keeping caches: everything under the roots. */
    public static ScanRules all() {
        return new ScanRules(List.of(), List.of(), false, false);
    }

    /** Rules with patterns given as Strings (encoded as UTF-8). */
    public static ScanRules of(List<String> includes, List<String> excludes, boolean oneFileSystem, boolean excludeCaches) {
        return new ScanRules(utf8(includes), utf8(excludes), oneFileSystem, excludeCaches);
    }

    /** Rules with patterns given as raw bytes. */
    public static ScanRules ofBytes(List<byte[]> includes, List<byte[]> excludes, boolean oneFileSystem, boolean excludeCaches) {
        return new ScanRules(includes, excludes, oneFileSystem, excludeCaches);
    }

    @Override
    public List<byte[]> includes() {
        return includes.stream().map(byte[]::clone).toList();
    }

    @Override
    public List<byte[]> excludes() {
        return excludes.stream().map(byte[]::clone).toList();
    }

    List<Glob> compiledIncludes() {
        return includes.stream().map(Glob::compile).toList();
    }

    List<Glob> compiledExcludes() {
        return excludes.stream().map(Glob::compile).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScanRules r && oneFileSystem == r.oneFileSystem && excludeCaches == r.excludeCaches
                && same(includes, r.includes) && same(excludes, r.excludes);
    }

    @Override
    public int hashCode() {
        int h = Boolean.hashCode(oneFileSystem) * 31 + Boolean.hashCode(excludeCaches);
        for (byte[] p : includes) {
            h = h * 31 + java.util.Arrays.hashCode(p);
        }
        for (byte[] p : excludes) {
            h = h * 37 + java.util.Arrays.hashCode(p);
        }
        return h;
    }

    @Override
    public String toString() {
        return "ScanRules[includes=" + includes.stream().map(dev.sluice.engine.fs.RawPath::escape).toList()
                + ", excludes=" + excludes.stream().map(dev.sluice.engine.fs.RawPath::escape).toList()
                + ", oneFileSystem=" + oneFileSystem + ", excludeCaches=" + excludeCaches + "]";
    }

    private static boolean same(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<byte[]> copy(List<byte[]> patterns, String what) {
        Objects.requireNonNull(patterns, what);
        return patterns.stream().map(p -> Objects.requireNonNull(p, "a pattern in " + what).clone()).toList();
    }

    private static List<byte[]> utf8(List<String> patterns) {
        return patterns.stream().map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toList();
    }
}
