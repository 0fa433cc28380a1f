package dev.sluice.engine.mirror.dest;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * A child JVM for tests: {@code mirror SOURCE TARGET LAYOUT FAKE_SUPER INSTANT [KEEP]} mirrors a tree and prints "done";
 * {@code hang SOURCE TARGET INSTANT} starts a snapshots run, writes part of a file, prints "ready" and waits to be
 * killed.
 */
public final class MirrorChildMain {

    private MirrorChildMain() {
    }

    public static void main(String[] args) throws Exception {
        Path source = Path.of(args[1]);
        Path target = Path.of(args[2]);
        if (args[0].equals("mirror")) {
            MirrorOptions options = new MirrorOptions(MirrorOptions.Layout.valueOf(args[3]), true,
                    dev.sluice.engine.scan.ScanRules.all(), false, Boolean.parseBoolean(args[4]),
                    args.length > 6 ? Integer.parseInt(args[6]) : 0, MirrorLimits.DEFAULT);
            try (MirrorTarget t = MirrorTarget.open(target, options, Clock.fixed(Instant.parse(args[5]), ZoneOffset.UTC))) {
                MirrorDriver.mirror(source, t);
            }
            System.out.println("done");
            return;
        }
        MirrorOptions options = new MirrorOptions(MirrorOptions.Layout.SNAPSHOTS, true,
                dev.sluice.engine.scan.ScanRules.all(), false, false, 0, MirrorLimits.DEFAULT);
        MirrorTarget t = MirrorTarget.open(target, options, Clock.fixed(Instant.parse(args[3]), ZoneOffset.UTC));
        dev.sluice.engine.fs.MetadataReader reader = new dev.sluice.engine.fs.MetadataReader();
        t.directory(new byte[0], reader.read(source));
        t.directory("data".getBytes(), reader.read(source.resolve("data")));
        MirrorTarget.FileWriter w = t.file("data/empty".getBytes(), reader.read(source.resolve("data/empty")));
        w.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(60_000);
        System.exit(3);
    }
}
