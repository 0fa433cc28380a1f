package dev.sluice.hook;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** Strict parsers for what a hook may print on stdout at the points that give stdout a meaning. */
final class StdoutContract {

    /** Longest exclude pattern, in bytes. */
    static final int MAX_PATTERN_BYTES = 4096;

    /** A hook's stdout broke its point's contract; the message says how, without naming the hook. */
    static final class Violation extends Exception {
        Violation(String message) {
            super(message);
        }
    }

    private StdoutContract() {
    }

    /** Whether the point's stdout has a contract and must be captured. */
    static boolean applies(HookPoint point) {
        return point == HookPoint.TRANSFER_PRE || point == HookPoint.TRANSFER_POST;
    }

    /**
     * {@code transfer.pre}: zero or more exclude patterns, each terminated by a NUL byte, each non-empty,
     * valid UTF-8, without newline or carriage return, at most {@value #MAX_PATTERN_BYTES} bytes.
     */
    static List<String> excludes(byte[] out) throws Violation {
        List<String> patterns = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < out.length; i++) {
            if (out[i] != 0) {
                continue;
            }
            int n = patterns.size() + 1;
            if (i == start) {
                throw new Violation("exclude pattern " + n + " (at byte " + start + ") is empty");
            }
            if (i - start > MAX_PATTERN_BYTES) {
                throw new Violation("exclude pattern " + n + " (at byte " + start + ") is " + (i - start)
                        + " bytes long, more than " + MAX_PATTERN_BYTES);
            }
            String pattern = utf8(out, start, i - start, "exclude pattern " + n + " (at byte " + start + ")");
            int bad = indexOfLineBreak(pattern);
            if (bad >= 0) {
                throw new Violation("exclude pattern " + n + " (at byte " + start + ") contains a "
                        + (pattern.charAt(bad) == '\n' ? "newline" : "carriage return")
                        + "; patterns are separated by NUL, not by lines");
            }
            patterns.add(pattern);
            start = i + 1;
        }
        if (start < out.length) {
            throw new Violation((out.length - start) + " bytes after the last NUL are not terminated by NUL"
                    + (patterns.isEmpty() ? " (exclude patterns must each end with a NUL byte, e.g. printf '%s\\0')" : ""));
        }
        return List.copyOf(patterns);
    }

    /**
     * {@code transfer.post}: empty, or one decimal integer 0..255 without sign or leading zeros,
     * optionally followed by one newline.
     */
    static OptionalInt replacementStatus(byte[] out) throws Violation {
        int end = out.length;
        if (end > 0 && out[end - 1] == '\n') {
            end--;
        }
        if (out.length == 0) {
            return OptionalInt.empty();
        }
        if (end == 0 || end > 3) {
            throw new Violation("stdout " + quote(out) + " is not a single exit status 0..255");
        }
        for (int i = 0; i < end; i++) {
            if (out[i] < '0' || out[i] > '9') {
                throw new Violation("stdout " + quote(out) + " is not a single exit status 0..255");
            }
        }
        if (end > 1 && out[0] == '0') {
            throw new Violation("stdout " + quote(out) + " has a leading zero; print a plain exit status 0..255");
        }
        int value = Integer.parseInt(new String(out, 0, end, StandardCharsets.US_ASCII));
        if (value > 255) {
            throw new Violation("stdout " + quote(out) + " is an exit status above 255");
        }
        return OptionalInt.of(value);
    }

    private static String utf8(byte[] bytes, int offset, int length, String what) throws Violation {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (CharacterCodingException e) {
            throw new Violation(what + " is not valid UTF-8");
        }
    }

    private static int indexOfLineBreak(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n' || s.charAt(i) == '\r') {
                return i;
            }
        }
        return -1;
    }

    /** A short, printable rendering of a hook's output for an error message. */
    private static String quote(byte[] out) {
        StringBuilder b = new StringBuilder("\"");
        int shown = Math.min(out.length, 40);
        for (int i = 0; i < shown; i++) {
            int c = out[i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                b.append((char) c);
            } else {
                b.append(String.format("\\x%02x", c));
            }
        }
        b.append('"');
        if (out.length > shown) {
            b.append(" (").append(out.length).append(" bytes)");
        }
        return b.toString();
    }
}
