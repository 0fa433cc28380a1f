package dev.sluice.engine.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PathOrderTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void directorySortsImmediatelyBeforeItsContents() {
        List<byte[]> sorted = new ArrayList<>(List.of(b("/a-b"), b("/a/z"), b("/a"), b("/a/b/c"), b("/a\u00ff"), b("/a.b"), b("/a/b")));
        sorted.sort(PathOrder.COMPARATOR);
        assertEquals(List.of("/a", "/a/b", "/a/b/c", "/a/z", "/a-b", "/a.b", "/a\u00ff"),
                sorted.stream().map(x -> new String(x, StandardCharsets.ISO_8859_1)).toList());
    }

    @Test
    void componentsCompareAsUnsignedBytes() {
        assertTrue(PathOrder.compare(b("/x/\u007f"), b("/x/\u0080")) < 0);
        assertTrue(PathOrder.compare(b("/x/\u00ff"), b("/x/\u0080")) > 0);
        assertTrue(PathOrder.compare(b("/x/A"), b("/x/a")) < 0);
        assertTrue(PathOrder.compare(b("/x/\n"), b("/x/ ")) < 0);
        assertEquals(0, PathOrder.compare(b("/x/y"), b("/x/y")));
    }

    /** The order equals a component-wise comparison done the slow, obvious way. */
    @Test
    void equalsComponentWiseComparisonOnRandomPaths() {
        Random r = new Random(7);
        byte[] alphabet = {'a', 'b', '-', '.', '/', (byte) 0xff, (byte) 0x80, ' ', '\n'};
        for (int i = 0; i < 20_000; i++) {
            byte[] x = randomPath(r, alphabet);
            byte[] y = randomPath(r, alphabet);
            assertEquals(Integer.signum(slow(x, y)), Integer.signum(PathOrder.compare(x, y)),
                    dev.sluice.engine.fs.RawPath.escape(x) + " vs " + dev.sluice.engine.fs.RawPath.escape(y));
        }
    }

    private static byte[] randomPath(Random r, byte[] alphabet) {
        StringBuilder sb = new StringBuilder();
        int comps = 1 + r.nextInt(3);
        List<Byte> out = new ArrayList<>();
        for (int c = 0; c < comps; c++) {
            out.add((byte) '/');
            int len = 1 + r.nextInt(3);
            for (int k = 0; k < len; k++) {
                byte v;
                do {
                    v = alphabet[r.nextInt(alphabet.length)];
                } while (v == '/');
                out.add(v);
            }
        }
        byte[] a = new byte[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    private static int slow(byte[] x, byte[] y) {
        List<byte[]> cx = split(x);
        List<byte[]> cy = split(y);
        for (int i = 0; i < Math.min(cx.size(), cy.size()); i++) {
            int c = java.util.Arrays.compareUnsigned(cx.get(i), cy.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(cx.size(), cy.size());
    }

    private static List<byte[]> split(byte[] p) {
        List<byte[]> out = new ArrayList<>();
        int start = 1;
        for (int i = 1; i <= p.length; i++) {
            if (i == p.length || p[i] == '/') {
                out.add(java.util.Arrays.copyOfRange(p, start, i));
                start = i + 1;
            }
        }
        return out;
    }
}
