package dev.sluice.benchmark;

/**
 * What a change set did to a data set, and the number of bytes that really changed.
 *
 * @param idealBytes bytes of new content: rewritten and added files, the overwritten, appended and inserted ranges
 * @param rewritten small files given new content
 * @param added new small files
 * @param deleted small files removed
 */
public record ChangeSummary(long idealBytes, int rewritten, int added, int deleted) {

    public ChangeSummary {
        if (idealBytes < 0 || rewritten < 0 || added < 0 || deleted < 0) {
            throw new IllegalArgumentException("Change counts must not be negative: ideal " + idealBytes
                    + ", rewritten " + rewritten + ", added " + added + ", deleted " + deleted + ".");
        }
    }
}
