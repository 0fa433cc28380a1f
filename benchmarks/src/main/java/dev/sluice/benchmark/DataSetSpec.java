package dev.sluice.benchmark;

/**
 * Size of the comparison data set: large files (half random, half text) plus a tree of small files.
 *
 * @param largeFiles number of large files, at least four (the change set touches three of them)
 * @param largeFileBytes size of each large file, at least 2 MiB
 * @param smallFiles number of small files of 100 B to 64 KiB, at least 100
 */
public record DataSetSpec(int largeFiles, long largeFileBytes, int smallFiles) {

    /** Large file size at scale 1: 512 MiB. */
    public static final long FULL_LARGE_FILE_BYTES = 512L * SampleData.MIB;

    /** Small file count at scale 1. */
    public static final int FULL_SMALL_FILES = 50_000;

    public DataSetSpec {
        if (largeFiles < 4) {
            throw new IllegalArgumentException("A data set needs at least 4 large files, got " + largeFiles + ".");
        }
        if (largeFileBytes < 2L * SampleData.MIB) {
            throw new IllegalArgumentException("Large files must be at least 2 MiB, got " + largeFileBytes + " bytes.");
        }
        if (smallFiles < 100) {
            throw new IllegalArgumentException("A data set needs at least 100 small files, got " + smallFiles + ".");
        }
    }

    /** The default data set (4 x 512 MiB and 50,000 small files, about 2.5 GB) multiplied by {@code scale}. */
    public static DataSetSpec scaled(double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("Scale must be a positive number, got " + scale + ".");
        }
        long mib = Math.max(2, Math.round(FULL_LARGE_FILE_BYTES * scale / SampleData.MIB));
        int small = (int) Math.max(100, Math.round(FULL_SMALL_FILES * scale));
        return new DataSetSpec(4, mib * SampleData.MIB, small);
    }

    /** A smoke-test data set of about 10 MB: 4 x 2 MiB and 200 small files. */
    public static DataSetSpec tiny() {
        return new DataSetSpec(4, 2L * SampleData.MIB, 200);
    }
}
