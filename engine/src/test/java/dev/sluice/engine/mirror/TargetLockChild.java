package dev.sluice.engine.mirror;

import java.nio.file.Path;

/** Test support, run as a child JVM: holds the {@link TargetLock} of {@code args[0]} until its stdin ends. */
public final class TargetLockChild {
    private TargetLockChild() {
    }

    public static void main(String[] args) throws Exception {
        TargetLock lock = TargetLock.take(Path.of(args[0]), args[1]);
        System.out.println(lock == null ? "busy" : "held");
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the end of stdin
        }
        if (lock != null) {
            lock.close();
        }
    }
}
