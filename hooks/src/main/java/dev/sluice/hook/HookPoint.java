package dev.sluice.hook;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The named points of a job at which configured hooks run; the names are part of the interface. */
public enum HookPoint {
    JOB_START("job.start"),
    SNAPSHOT_PRE("snapshot.pre"),
    TRANSFER_PRE("transfer.pre"),
    TRANSFER_POST("transfer.post"),
    SNAPSHOT_POST("snapshot.post"),
    PRUNE_POST("prune.post"),
    JOB_END("job.end");

    private final String id;

    HookPoint(String id) {
        this.id = id;
    }

    /** The point's name as written in configuration, logs and the catalog, e.g. {@code snapshot.pre}. */
    public String id() {
        return id;
    }

    /**
     * Finds a point by its name.
     *
     * @throws IllegalArgumentException naming the unknown value and listing the valid names
     */
    public static HookPoint of(String id) {
        for (HookPoint point : values()) {
            if (point.id.equals(id)) {
                return point;
            }
        }
        throw new IllegalArgumentException("unknown hook point '" + id + "'; valid points are "
                + Arrays.stream(values()).map(HookPoint::id).collect(Collectors.joining(", ")));
    }

    /** True for the points that open a phase: {@code job.start}, {@code snapshot.pre}, {@code transfer.pre}. */
    public boolean isPre() {
        return this == JOB_START || this == SNAPSHOT_PRE || this == TRANSFER_PRE;
    }

    /** True for the points that receive the status of the phase they close as their first argument. */
    public boolean takesStatus() {
        return this == TRANSFER_POST || this == SNAPSHOT_POST || this == PRUNE_POST || this == JOB_END;
    }

    /** The point that closes the phase this point opens, or that opens the phase this point closes. */
    public Optional<HookPoint> counterpart() {
        switch (this) {
            case JOB_START: return Optional.of(JOB_END);
            case JOB_END: return Optional.of(JOB_START);
            case SNAPSHOT_PRE: return Optional.of(SNAPSHOT_POST);
            case SNAPSHOT_POST: return Optional.of(SNAPSHOT_PRE);
            case TRANSFER_PRE: return Optional.of(TRANSFER_POST);
            case TRANSFER_POST: return Optional.of(TRANSFER_PRE);
            default: return Optional.empty();
        }
    }

    /** Whether hooks at this point run on a host of the given role (see {@link HookCatalog}). */
    public boolean runsOn(HookContext.Role role) {
        switch (this) {
            case SNAPSHOT_PRE:
            case TRANSFER_PRE:
            case TRANSFER_POST:
            case SNAPSHOT_POST:
                return role == HookContext.Role.SOURCE;
            case PRUNE_POST:
                return role == HookContext.Role.SINK;
            default:
                return true;
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
