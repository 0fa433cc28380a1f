package dev.sluice.engine.cli;

import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.daemon.ControlClient;
import dev.sluice.engine.daemon.DaemonLauncher;
import dev.sluice.engine.json.JsonWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Hands a command's job to the daemon that serves the same configuration file, so that the run is the daemon's:
 * warm, in its order with the job's scheduled runs, with its locks, user, environment and log
 * (docs/decisions.md "A command hands its job to the daemon that runs the same file").
 */
final class DaemonHandover {
    private final Path socket;
    private final String configFile;
    private final String sha256;
    private final Console console;

    private DaemonHandover(Path socket, String configFile, String sha256, Console console) {
        this.socket = socket;
        this.configFile = configFile;
        this.sha256 = sha256;
        this.console = console;
    }

    /**
     * The daemon whose control socket is in {@code config}'s runtime directory, or null when there is no socket
     * there (no daemon; the command runs its jobs itself).
     */
    static DaemonHandover find(SluiceConfig config, Console console) {
        Path socket = config.global().runtimeDir().resolve(DaemonLauncher.CONTROL_SOCKET);
        if (config.sha256().isEmpty() || !Files.exists(socket)) {
            return null;
        }
        try {
            return new DaemonHandover(socket, config.file().toRealPath().toString(), config.sha256(), console);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Has the daemon run {@code job} (a run that starts now, or after the one it is running) and returns its
     * answer ({@code status}, {@code error}, {@code facts}, {@code problems}), or empty when it did not run it: no
     * daemon answers, this user may not use its socket, it loaded another file or an older version of this one,
     * or it went away. Then the command runs the job itself; stderr says why when it is not simply another
     * daemon's configuration. If this process is stopped while it waits (Ctrl-C), the daemon's run is cancelled.
     */
    Optional<Map<String, Object>> run(String job) {
        ControlClient client;
        try {
            client = ControlClient.connect(socket);
        } catch (IOException noDaemonForUs) {
            return Optional.empty();
        }
        Canceller canceller = new Canceller(socket, job, console);
        Runtime.getRuntime().addShutdownHook(canceller);
        try (client) {
            Map<String, Object> answer = client.call(new JsonWriter().beginObject().field("op", "handover")
                    .field("job", job).field("config_file", configFile).field("config_sha256", sha256)
                    .endObject().toString());
            canceller.waiting = false;
            if (Boolean.TRUE.equals(answer.get("ok")) && answer.get("status") instanceof Number) {
                return Optional.of(answer);
            }
            boolean otherFile = Boolean.TRUE.equals(answer.get("config_differs"))
                    && !Boolean.TRUE.equals(answer.get("same_file"));
            if (!otherFile) {
                console.err().println("sluice: the daemon did not run job " + job + " (" + answer.get("error")
                        + "); running it here");
            }
            return Optional.empty();
        } catch (IOException e) {
            canceller.waiting = false;
            console.err().println("sluice: the daemon did not finish job " + job + " (" + e.getMessage()
                    + "); running it here");
            return Optional.empty();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(canceller);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) anyway; it does nothing once the answer is in
            }
        }
    }

    /** On exit while the daemon's run is awaited: asks the daemon to cancel that run. */
    private static final class Canceller extends Thread {
        private final Path socket;
        private final String job;
        private final Console console;
        volatile boolean waiting = true;

        Canceller(Path socket, String job, Console console) {
            super("sluice-handover-cancel");
            this.socket = socket;
            this.job = job;
            this.console = console;
        }

        @Override
        public void run() {
            if (!waiting) {
                return;
            }
            try (ControlClient client = ControlClient.connect(socket)) {
                client.call(DaemonCommands.request("cancel", job, null));
                console.err().println("sluice: stopped; asked the daemon to cancel its run of job " + job);
            } catch (IOException e) {
                console.err().println("sluice: stopped; could not ask the daemon to cancel its run of job " + job
                        + ": " + e.getMessage());
            }
        }
    }
}
