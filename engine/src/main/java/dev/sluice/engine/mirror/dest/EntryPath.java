package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.fs.RawPath;
import java.util.Arrays;

/**
 * A path the sender named, checked: relative, normalized, without NUL, within the limits; split into its
 * parent and last name.
 */
record EntryPath(byte[] raw, byte[] parent, byte[] name, int depth) {

    /**
     * Checks {@code path} and splits it.
     *
     * @throws MirrorRefusedException for an empty or absolute path, an empty, "." or ".." component, a NUL byte,
     *                                or a name, path or depth beyond {@code limits}
     */
    static EntryPath check(byte[] path, MirrorLimits limits, String what) throws MirrorRefusedException {
        if (path == null || path.length == 0) {
            throw new MirrorRefusedException(what + ": the path is empty");
        }
        if (path.length > limits.maxPathBytes()) {
            String shown = RawPath.escape(path);
            throw new MirrorRefusedException(what + " " + shown.substring(0, Math.min(shown.length(), 80))
                    + "...: the path has " + path.length + " bytes, more than the limit of " + limits.maxPathBytes());
        }
        if (path[0] == '/') {
            throw new MirrorRefusedException(what + " " + RawPath.escape(path) + ": the path is absolute");
        }
        int depth = 0;
        int start = 0;
        int lastSlash = -1;
        for (int i = 0; i <= path.length; i++) {
            if (i < path.length && path[i] == 0) {
                throw new MirrorRefusedException(what + " " + RawPath.escape(path) + ": the path contains a NUL byte at offset " + i);
            }
            if (i == path.length || path[i] == '/') {
                int len = i - start;
                if (len == 0) {
                    throw new MirrorRefusedException(what + " " + RawPath.escape(path) + ": the path has an empty component");
                }
                if (len == 1 && path[start] == '.' || len == 2 && path[start] == '.' && path[start + 1] == '.') {
                    throw new MirrorRefusedException(what + " " + RawPath.escape(path) + ": the path has a '.' or '..' component");
                }
                if (len > limits.maxNameBytes()) {
                    throw new MirrorRefusedException(what + " " + RawPath.escape(path) + ": a name has " + len
                            + " bytes, more than the limit of " + limits.maxNameBytes());
                }
                depth++;
                if (i < path.length) {
                    lastSlash = i;
                }
                start = i + 1;
            }
        }
        if (depth > limits.maxDepth()) {
            throw new MirrorRefusedException(what + " " + RawPath.escape(path) + ": the path is " + depth
                    + " levels deep, more than the limit of " + limits.maxDepth());
        }
        byte[] parent = lastSlash < 0 ? new byte[0] : Arrays.copyOf(path, lastSlash);
        byte[] name = Arrays.copyOfRange(path, lastSlash + 1, path.length);
        return new EntryPath(path.clone(), parent, name, depth);
    }

    String shown() {
        return RawPath.escape(raw);
    }

    /** The components of {@code path} ("" has none). */
    static byte[][] components(byte[] path) {
        if (path.length == 0) {
            return new byte[0][];
        }
        int n = 1;
        for (byte b : path) {
            if (b == '/') {
                n++;
            }
        }
        byte[][] out = new byte[n][];
        int start = 0;
        int k = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                out[k++] = Arrays.copyOfRange(path, start, i);
                start = i + 1;
            }
        }
        return out;
    }

    /** True when {@code ancestor} is {@code path} itself or a directory above it ("" is above everything). */
    static boolean isAncestorOrSelf(byte[] ancestor, byte[] path) {
        if (ancestor.length == 0) {
            return true;
        }
        if (ancestor.length > path.length) {
            return false;
        }
        if (!Arrays.equals(ancestor, 0, ancestor.length, path, 0, ancestor.length)) {
            return false;
        }
        return ancestor.length == path.length || path[ancestor.length] == '/';
    }
}
