package dev.sluice.engine.job;

import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.mirror.TargetFactory;
import dev.sluice.engine.mirror.dest.MirrorOptions;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.engine.mirror.dest.MirrorTargetStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The target of a mirror pull job (the receiver drives): writes with the pull job's own layout, delete, fake_super
 * and keep_snapshots whatever the sender's OPEN asked for (only its exclude patterns, which protect entries from
 * delete, are kept), and remembers what {@link #finish()} reported, so the job knows the run completed.
 */
final class ReceivedTarget implements MirrorTarget {
    private final MirrorTarget run;
    private final AtomicReference<MirrorTargetStats> finished;

    private ReceivedTarget(MirrorTarget run, AtomicReference<MirrorTargetStats> finished) {
        this.run = run;
        this.finished = finished;
    }

    /** A factory opening {@code next}'s targets with {@code own} options; a completed run's stats go to {@code finished}. */
    static TargetFactory factory(TargetFactory next, MirrorOptions own, AtomicReference<MirrorTargetStats> finished) {
        return (Path dir, MirrorOptions sent) -> new ReceivedTarget(next.open(dir, new MirrorOptions(own.layout(),
                own.delete(), sent.protect(), own.deleteExcluded(), own.fakeSuper(), own.keepSnapshots(),
                sent.limits())), finished);
    }

    @Override public Optional<Basis> basis(byte[] path) throws IOException { return run.basis(path); }
    @Override public void directory(byte[] path, FileMeta meta) throws IOException { run.directory(path, meta); }
    @Override public FileWriter file(byte[] path, FileMeta meta) throws IOException { return run.file(path, meta); }
    @Override public void keep(byte[] path, FileMeta meta) throws IOException { run.keep(path, meta); }
    @Override public void keep(byte[] path, FileMeta meta, Basis basis) throws IOException {
        run.keep(path, meta, basis);
    }
    @Override public void symlink(byte[] path, byte[] target, FileMeta meta) throws IOException {
        run.symlink(path, target, meta);
    }
    @Override public void special(byte[] path, FileMeta meta) throws IOException { run.special(path, meta); }
    @Override public void hardlink(byte[] path, byte[] earlierPath) throws IOException {
        run.hardlink(path, earlierPath);
    }
    @Override public void abort() { run.abort(); }
    @Override public void close() throws IOException { run.close(); }

    @Override
    public MirrorTargetStats finish() throws IOException {
        MirrorTargetStats stats = run.finish();
        finished.set(stats);
        return stats;
    }
}
