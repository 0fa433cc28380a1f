package dev.sluice.engine.daemon;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import reactor.test.scheduler.VirtualTimeScheduler;

/** A UTC clock that reads a {@link VirtualTimeScheduler}'s time, counted from a start instant. */
final class VirtualClock extends Clock {
    private final VirtualTimeScheduler vts;
    private final Instant start;

    VirtualClock(VirtualTimeScheduler vts, Instant start) {
        this.vts = vts;
        this.start = start;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the virtual clock is UTC only");
    }

    @Override
    public Instant instant() {
        return start.plusMillis(vts.now(TimeUnit.MILLISECONDS));
    }
}
