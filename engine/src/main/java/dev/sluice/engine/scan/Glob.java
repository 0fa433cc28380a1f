package dev.sluice.engine.scan;

import dev.sluice.engine.fs.RawPath;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One compiled include or exclude pattern over raw path bytes; the syntax is described on
 * {@link ScanRules}.
 */
final class Glob {

    private enum Op { LITERAL, ANY, CLASS, STAR, DOUBLE_STAR, DOUBLE_STAR_SLASH }

    private record Token(Op op, byte literal, BitSet set) {
    }

    private final byte[] source;
    private final boolean anchored;
    private final boolean directoryOnly;
    private final Token[] tokens;

    private Glob(byte[] source, boolean anchored, boolean directoryOnly, Token[] tokens) {
        this.source = source;
        this.anchored = anchored;
        this.directoryOnly = directoryOnly;
        this.tokens = tokens;
    }

    static Glob compile(byte[] pattern) {
        if (pattern.length == 0) {
            throw new IllegalArgumentException("an empty pattern matches nothing; remove it");
        }
        int end = pattern.length;
        boolean dirOnly = false;
        if (end > 1 && pattern[end - 1] == '/') {
            dirOnly = true;
            end--;
        }
        boolean anchored = pattern[0] == '/';
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < end) {
            byte b = pattern[i];
            if (b == 0) {
                throw new IllegalArgumentException("pattern " + RawPath.escape(pattern) + " contains a NUL byte");
            }
            if (b == '*') {
                if (i + 1 < end && pattern[i + 1] == '*') {
                    if (i + 2 < end && pattern[i + 2] == '/') {
                        out.add(new Token(Op.DOUBLE_STAR_SLASH, (byte) 0, null));
                        i += 3;
                    } else {
                        out.add(new Token(Op.DOUBLE_STAR, (byte) 0, null));
                        i += 2;
                    }
                } else {
                    out.add(new Token(Op.STAR, (byte) 0, null));
                    i++;
                }
            } else if (b == '?') {
                out.add(new Token(Op.ANY, (byte) 0, null));
                i++;
            } else if (b == '[') {
                i = parseClass(pattern, i, end, out);
            } else if (b == '\\') {
                if (i + 1 >= end) {
                    throw new IllegalArgumentException("pattern " + RawPath.escape(pattern) + " ends with a lone backslash");
                }
                out.add(new Token(Op.LITERAL, pattern[i + 1], null));
                i += 2;
            } else {
                out.add(new Token(Op.LITERAL, b, null));
                i++;
            }
        }
        return new Glob(pattern.clone(), anchored, dirOnly, out.toArray(new Token[0]));
    }

    private static int parseClass(byte[] p, int open, int end, List<Token> out) {
        int i = open + 1;
        boolean negate = false;
        if (i < end && (p[i] == '!' || p[i] == '^')) {
            negate = true;
            i++;
        }
        BitSet set = new BitSet(256);
        boolean first = true;
        while (true) {
            if (i >= end) {
                throw new IllegalArgumentException("pattern " + RawPath.escape(p) + " has an unclosed '[' at offset " + open);
            }
            int c = p[i] & 0xff;
            if (c == ']' && !first) {
                i++;
                break;
            }
            first = false;
            if (c == '\\' && i + 1 < end) {
                c = p[++i] & 0xff;
            }
            if (i + 2 < end && p[i + 1] == '-' && p[i + 2] != ']') {
                int hi = p[i + 2] & 0xff;
                if (hi == '\\' && i + 3 < end) {
                    hi = p[i + 3] & 0xff;
                    i++;
                }
                if (hi < c) {
                    throw new IllegalArgumentException("pattern " + RawPath.escape(p) + " has a reversed range in '[...]'");
                }
                set.set(c, hi + 1);
                i += 3;
            } else {
                set.set(c);
                i++;
            }
        }
        if (negate) {
            set.flip(0, 256);
        }
        set.clear('/');
        out.add(new Token(Op.CLASS, (byte) 0, set));
        return i;
    }

    boolean directoryOnly() {
        return directoryOnly;
    }

    /** Whether the pattern matches the absolute normalized path {@code path}. */
    boolean matches(byte[] path, boolean isDirectory) {
        if (directoryOnly && !isDirectory) {
            return false;
        }
        int n = tokens.length;
        boolean[] cur = new boolean[n + 1];
        boolean[] next = new boolean[n + 1];
        if (anchored) {
            cur[0] = true;
            close(cur);
        }
        for (int pos = 0; pos < path.length; pos++) {
            if (!anchored && pos > 0 && path[pos - 1] == '/') {
                cur[0] = true;
                close(cur);
            }
            java.util.Arrays.fill(next, false);
            boolean any = false;
            int c = path[pos] & 0xff;
            for (int s = 0; s < n; s++) {
                if (!cur[s]) {
                    continue;
                }
                Token t = tokens[s];
                switch (t.op) {
                    case LITERAL -> {
                        if ((t.literal & 0xff) == c) {
                            next[s + 1] = true;
                        }
                    }
                    case ANY -> {
                        if (c != '/') {
                            next[s + 1] = true;
                        }
                    }
                    case CLASS -> {
                        if (t.set.get(c)) {
                            next[s + 1] = true;
                        }
                    }
                    case STAR -> {
                        if (c != '/') {
                            next[s] = true;
                        }
                    }
                    case DOUBLE_STAR -> next[s] = true;
                    case DOUBLE_STAR_SLASH -> {
                        next[s] = true;
                        if (c == '/') {
                            next[s + 1] = true;
                        }
                    }
                }
            }
            close(next);
            for (boolean v : next) {
                any |= v;
            }
            boolean[] tmp = cur;
            cur = next;
            next = tmp;
            if (!any && (anchored || pos + 1 >= path.length)) {
                return false;
            }
        }
        return cur[n];
    }

    /** Adds the states reachable without input: a star may match nothing. */
    private void close(boolean[] states) {
        for (int s = 0; s < tokens.length; s++) {
            if (states[s]) {
                Op op = tokens[s].op;
                if (op == Op.STAR || op == Op.DOUBLE_STAR || op == Op.DOUBLE_STAR_SLASH) {
                    states[s + 1] = true;
                }
            }
        }
    }

    @Override
    public String toString() {
        return RawPath.escape(source);
    }
}
