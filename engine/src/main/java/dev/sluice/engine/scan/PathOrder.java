package dev.sluice.engine.scan;

import java.util.Comparator;

/**
 * The total order of a scan: paths compared component by component, each component as unsigned
 * bytes, a shorter run of components before any longer one that extends it.
 *
 * <p>So a directory sorts immediately before its contents, and walking depth-first in pre-order
 * with each directory's children sorted by unsigned bytes visits paths in exactly this order.
 * Because a component never contains '/' or NUL, the order equals a plain unsigned byte
 * comparison in which '/' counts as lower than every other byte. Paths must be normalized
 * (no empty, "." or ".." components; no trailing slash).
 */
public final class PathOrder {

    /** {@link #compare(byte[], byte[])} as a Comparator. */
    public static final Comparator<byte[]> COMPARATOR = PathOrder::compare;

    private PathOrder() {
    }

    /** Compares two raw paths in scan order; negative, zero or positive like {@link Comparator}. */
    public static int compare(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            int x = rank(a[i]);
            int y = rank(b[i]);
            if (x != y) {
                return x - y;
            }
        }
        return a.length - b.length;
    }

    /** Compares two single names (no '/') as unsigned bytes. */
    public static int compareNames(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }

    private static int rank(byte b) {
        return b == '/' ? 0 : (b & 0xff);
    }
}
