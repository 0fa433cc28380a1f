package dev.sluice.engine.buffer;

/** The first {@code length} bytes of an array taken from an {@link ArrayPool}. */
public record PooledBytes(byte[] array, int length) {
    public PooledBytes {
        if (length < 0 || length > array.length) {
            throw new IllegalArgumentException("length " + length + " outside an array of " + array.length);
        }
    }
}
