package dev.sluice.engine.compress;

/**
 * A compressed blob body could not be decompressed: unknown framing, corrupt zstd data, or
 * output larger than the caller's limit. Checked, like the other per-blob integrity failures.
 */
public class DecompressionException extends Exception {

    public DecompressionException(String message) {
        super(message);
    }
}
