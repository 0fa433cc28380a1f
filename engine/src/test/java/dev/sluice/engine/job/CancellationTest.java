package dev.sluice.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A cancel keeps the first reason it was given and runs the current step's stop action once. */
class CancellationTest {

    @Test
    void theFirstReasonIsKeptAndTheStopActionRunsOnce() {
        Cancellation c = new Cancellation();
        AtomicInteger stops = new AtomicInteger();
        c.onCancel(stops::incrementAndGet);
        assertFalse(c.cancelled());
        assertNull(c.reason());
        assertEquals("", c.note());

        c.cancel("sluice cancel");
        c.cancel("daemon shutdown: the grace period of 1m is over");
        assertTrue(c.cancelled());
        assertEquals("sluice cancel", c.reason());
        assertEquals(" (cancelled: sluice cancel)", c.note());
        assertEquals(1, stops.get());
    }

    @Test
    void aStepRegisteredAfterTheCancelStopsAtOnce() {
        Cancellation c = new Cancellation();
        c.cancel();
        AtomicInteger stops = new AtomicInteger();
        c.onCancel(stops::incrementAndGet);
        assertEquals(1, stops.get());
        assertEquals("cancelled", c.reason());
    }
}
