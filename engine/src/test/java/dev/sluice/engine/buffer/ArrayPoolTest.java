package dev.sluice.engine.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArrayPoolTest {

    @Test
    void arraysAreAtLeastAsLongAsAskedAndComeBackByClass() {
        ArrayPool pool = new ArrayPool(2);
        byte[] a = pool.take(1_000_000);
        assertEquals(1 << 20, a.length);
        pool.give(a);
        assertSame(a, pool.take(700_000), "a returned array is reused for a request of its class");
        assertNotSame(a, pool.take(700_000), "an array is handed out once");
        assertEquals(1 << 16, pool.take(1).length, "the smallest class is 64 KiB");
        assertEquals(1 << 16, pool.take(65536).length);
        assertEquals(1 << 17, pool.take(65537).length);
    }

    @Test
    void theBoundHoldsAndForeignOrHugeArraysAreDropped() {
        ArrayPool pool = new ArrayPool(1);
        byte[] a = pool.take(100_000);
        byte[] b = pool.take(100_000);
        pool.give(a);
        pool.give(b);
        assertSame(a, pool.take(100_000));
        assertNotSame(b, pool.take(100_000), "only one idle array per class is kept");
        pool.give(new byte[100_000]);
        assertTrue(pool.take(100_000).length == 1 << 17, "an array of no size class is not pooled");
        assertEquals(64 << 20, pool.take(64 << 20).length, "beyond the largest class: exact, unpooled");
        pool.give(null);
        assertThrows(IllegalArgumentException.class, () -> new ArrayPool(0));
    }
}
