package dev.sluice.engine.repository;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a {@link StructureCheck}: problems (each naming the pack, index file, snapshot or
 * blob concerned), notes that need no action, and for each damaged pack the blobs it holds, so a
 * caller with the key can name the files that depend on them.
 */
public record StructureReport(List<String> problems, List<String> notes, Map<PackId, List<BlobId>> damagedPacks) {
    public StructureReport {
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
        Map<PackId, List<BlobId>> copy = new LinkedHashMap<>();
        damagedPacks.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        damagedPacks = java.util.Collections.unmodifiableMap(copy);
    }

    /** True if there are no problems (notes do not count). */
    public boolean ok() {
        return problems.isEmpty();
    }
}
