package dev.sluice.engine.buffer;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * A bounded pool of byte arrays in power-of-two size classes, so that the chunks flowing
 * through a backup reuse a fixed set of buffers instead of allocating about three arrays of
 * their size each: at hundreds of MB/s that allocation rate made the JVM's default G1 heap
 * grow to the better part of a gigabyte.
 *
 * <p>Ownership: whoever {@link #take}s an array owns it until it {@link #give}s it back; an
 * array that is never given back (an error, a cancelled run) is simply garbage-collected, so a
 * lost array is never a leak, only a missed reuse. Arrays are handed out dirty; callers track
 * the valid length themselves. Thread-safe.
 */
public final class ArrayPool {
    private static final int MIN_SHIFT = 16; // 64 KiB
    private static final int MAX_SHIFT = 24; // 16 MiB

    private final ArrayBlockingQueue<byte[]>[] classes;

    /** A pool keeping at most {@code perClass} idle arrays of each size class. */
    @SuppressWarnings("unchecked")
    public ArrayPool(int perClass) {
        if (perClass < 1) {
            throw new IllegalArgumentException("an array pool needs room for at least one array per class");
        }
        classes = new ArrayBlockingQueue[MAX_SHIFT - MIN_SHIFT + 1];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = new ArrayBlockingQueue<>(perClass);
        }
    }

    /** An array of at least {@code minLength} bytes, from the pool if one is idle. */
    public byte[] take(int minLength) {
        int c = sizeClass(minLength);
        if (c < 0) {
            return new byte[minLength];
        }
        byte[] a = classes[c].poll();
        return a != null ? a : new byte[1 << (c + MIN_SHIFT)];
    }

    /** Returns an array to the pool; arrays of no size class, or beyond the bound, are dropped. */
    public void give(byte[] array) {
        if (array == null) {
            return;
        }
        int c = Integer.numberOfTrailingZeros(array.length) - MIN_SHIFT;
        if (Integer.bitCount(array.length) == 1 && c >= 0 && c < classes.length) {
            classes[c].offer(array);
        }
    }

    private static int sizeClass(int length) {
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, length) - 1));
        return shift > MAX_SHIFT ? -1 : shift - MIN_SHIFT;
    }
}
