package dev.sluice.engine.daemon;

import sun.misc.Signal;

/**
 * The POSIX signals the daemon answers: TERM and INT stop it gracefully, HUP reloads the configuration. The one
 * place that touches {@code sun.misc.Signal}; handlers run on the JVM's signal thread and must return quickly.
 */
public final class Signals {
    private Signals() {}

    /** Installs the handlers; {@code stop} and {@code reload} should hand off to another thread. */
    public static void install(Runnable stop, Runnable reload) {
        Signal.handle(new Signal("TERM"), s -> stop.run());
        Signal.handle(new Signal("INT"), s -> stop.run());
        Signal.handle(new Signal("HUP"), s -> reload.run());
    }
}
