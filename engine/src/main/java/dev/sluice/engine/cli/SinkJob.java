package dev.sluice.engine.cli;

import dev.sluice.engine.backup.ErrorPolicy;
import dev.sluice.engine.compress.BlobCompressor;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.content.BlobCodec;
import dev.sluice.engine.crypto.KeyException;
import dev.sluice.engine.crypto.KeyFile;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.crypto.WrongKeyException;
import dev.sluice.engine.job.BackupJob;
import dev.sluice.engine.job.JobPlans;
import dev.sluice.engine.job.RepositoryTarget;
import dev.sluice.engine.job.SinkReads;
import dev.sluice.engine.job.SinkTarget;
import dev.sluice.engine.protocol.SinkReader;
import dev.sluice.engine.repository.SnapshotRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A job of a config file named on the command line ({@code -c FILE JOB}) for snapshots, restore and check: where
 * its repository is (a local directory, or a sink reached over TLS), and for a sink, an open read session with the
 * key verified against the sink's key check.
 */
final class SinkJob implements AutoCloseable {
    /** Where a configured job's repository is: exactly one of {@code local} and {@code sink}. */
    record Where(String job, RepositoryTarget local, SinkTarget sink) {}

    private final SinkTarget target;
    private final MasterKey key;
    private final BlobCodec codec;
    private final SinkReader reader;

    private SinkJob(SinkTarget target, MasterKey key, BlobCodec codec, SinkReader reader) {
        this.target = target;
        this.key = key;
        this.codec = codec;
        this.reader = reader;
    }

    /**
     * The repository of the job named by the first positional argument in the config file of {@code --config};
     * null without {@code --config}.
     */
    static Where where(Arguments args) throws CommandException, UsageException {
        String file = args.value("--config");
        if (file == null) {
            return null;
        }
        if (args.positional().isEmpty()) {
            throw new UsageException("which job? with -c CONFIG, the first argument is a job name of " + file);
        }
        String name = args.positional().get(0);
        SluiceConfig config = ConfigCommands.load(Path.of(file));
        JobSpec job = config.job(name).orElseThrow(() -> new UsageException("no job named '" + name + "' in "
                + file));
        BackupJob.Plan plan;
        try {
            plan = JobPlans.plan(job, config, config.global().host(), true, ErrorPolicy.abort(),
                    args.path("--key-file", "SLUICE_KEY_FILE"), args.path("--password-file", "SLUICE_PASSWORD_FILE"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return new Where(name, plan.target(), plan.sink());
    }

    /** Connects, opens a read session for the job and verifies the key file against the sink's key check. */
    static SinkJob open(Where where) throws CommandException {
        SinkTarget target = where.sink();
        MasterKey key;
        try {
            key = KeyFile.read(target.keyFile());
        } catch (KeyException e) {
            throw new CommandException(ExitCode.USAGE, e.getMessage(), e);
        }
        try {
            SinkReader reader = SinkReads.open(target, where.job(), key);
            return new SinkJob(target, key, new BlobCodec(key, new BlobCompressor("zstd", 3)), reader);
        } catch (WrongKeyException e) {
            key.destroy();
            throw new CommandException(ExitCode.WRONG_KEY, e.getMessage(), e);
        } catch (KeyException e) {
            key.destroy();
            throw new CommandException(ExitCode.FAILURE, e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            key.destroy();
            throw new CommandException(ExitCode.FAILURE, "job " + where.job() + ": " + Failures.describe(e), e);
        }
    }

    SinkReader reader() {
        return reader;
    }

    BlobCodec codec() {
        return codec;
    }

    /** E.g. {@code job home at sink tls backup.example:7443}. */
    String describe() {
        return "job " + reader.job() + " at " + target.describe();
    }

    /** This peer's snapshots of the job, oldest first. */
    List<SnapshotRecord> snapshots() throws CommandException {
        try {
            List<SnapshotRecord> list = new ArrayList<>(reader.snapshots());
            list.sort(Comparator.comparing(SnapshotRecord::time));
            return list;
        } catch (IOException e) {
            throw new CommandException(ExitCode.FAILURE, "cannot list the snapshots of " + describe() + ": "
                    + Failures.describe(e), e);
        }
    }

    /** A snapshot by 'latest' (the one its source took last; {@code note} hears what was passed over), id or prefix. */
    SnapshotRecord choose(String which, java.util.function.Consumer<String> note) throws CommandException {
        List<SnapshotRecord> all = snapshots();
        if (which.equals("latest")) {
            if (all.isEmpty()) {
                throw new CommandException(ExitCode.FAILURE, describe() + " has no snapshots");
            }
            return LatestSnapshot.choose(all, codec, note);
        }
        List<SnapshotRecord> matches = all.stream().filter(s -> s.id().hex().startsWith(which)).toList();
        if (matches.size() != 1) {
            throw new CommandException(ExitCode.FAILURE, (matches.isEmpty() ? "no snapshot id starts with '"
                    : "snapshot prefix is ambiguous: '") + which + "' among the snapshots of " + describe());
        }
        return matches.get(0);
    }

    @Override
    public void close() throws IOException {
        try {
            codec.close();
            reader.close();
        } finally {
            key.destroy();
        }
    }
}
