package dev.sluice.engine.gc;

/**
 * How garbage collection treats packs: a pack whose live blobs are less than {@code minLiveFraction} of its
 * blob bytes (the file without header and trailer)
 * is rewritten (its live blobs copied into new packs), a pack without live blobs is deleted; with
 * {@code dryRun} nothing is changed and the result says what would be done.
 */
public record GcOptions(double minLiveFraction, boolean dryRun) {
    /** Rewrite packs that are less than 70 % live. */
    public static final double DEFAULT_MIN_LIVE_FRACTION = 0.7;
    public static final GcOptions DEFAULT = new GcOptions(DEFAULT_MIN_LIVE_FRACTION, false);

    public GcOptions {
        if (!(minLiveFraction >= 0 && minLiveFraction <= 1)) {
            throw new IllegalArgumentException("the minimum live fraction of a pack must be between 0 and 1, got "
                    + minLiveFraction);
        }
    }

    public GcOptions withDryRun(boolean dry) {
        return new GcOptions(minLiveFraction, dry);
    }
}
