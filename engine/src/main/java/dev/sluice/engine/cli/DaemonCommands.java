package dev.sluice.engine.cli;

import dev.sluice.engine.config.GlobalSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.daemon.ControlClient;
import dev.sluice.engine.daemon.DaemonLauncher;
import dev.sluice.engine.json.JsonWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code sluice daemon}, and the commands that talk to a running daemon over its control socket:
 * {@code status}, {@code run}, {@code cancel}, {@code reload}.
 */
final class DaemonCommands {
    private DaemonCommands() {}

    static final String SOCKET_HELP = """
              -c, --config FILE        the daemon's config file (for global.runtime_dir)
              --runtime-dir DIR        the daemon's runtime directory (default /run/sluice, or SLUICE_RUNTIME_DIR)
            """;

    /** The control socket named by --runtime-dir, the config file, SLUICE_RUNTIME_DIR, or the default. */
    static Path socket(Arguments args, Console console) throws CommandException {
        return runtimeDir(args, console).resolve(DaemonLauncher.CONTROL_SOCKET);
    }

    /** The daemon's runtime directory: --runtime-dir, the config file's, SLUICE_RUNTIME_DIR, or the default. */
    static Path runtimeDir(Arguments args, Console console) throws CommandException {
        Path dir;
        if (args.value("--runtime-dir") != null) {
            dir = Path.of(args.value("--runtime-dir"));
        } else if (args.value("--config") != null) {
            dir = ConfigCommands.load(Path.of(args.value("--config"))).global().runtimeDir();
        } else if (console.env().get("SLUICE_RUNTIME_DIR") != null) {
            dir = Path.of(console.env().get("SLUICE_RUNTIME_DIR"));
        } else {
            dir = GlobalSpec.DEFAULT_RUNTIME_DIR;
        }
        return dir;
    }

    /** Sends one request and returns the answer; a refusal or "ok": false is a command failure. */
    static Map<String, Object> call(Path socket, String request) throws CommandException {
        try (ControlClient client = ControlClient.connect(socket)) {
            Map<String, Object> answer = client.call(request);
            if (!Boolean.TRUE.equals(answer.get("ok")) && !answer.containsKey("problems")) {
                throw new CommandException(ExitCode.FAILURE, String.valueOf(answer.get("error")));
            }
            return answer;
        } catch (IOException e) {
            throw new CommandException(ExitCode.FAILURE, e.getMessage(), e);
        }
    }

    static String request(String op, String job, Boolean wait) {
        JsonWriter w = new JsonWriter().beginObject().field("op", op);
        if (job != null) {
            w.field("job", job);
        }
        if (wait != null) {
            w.name("wait").value(wait);
        }
        return w.endObject().toString();
    }

    static String oneJob(Arguments args) throws UsageException {
        if (args.positional().size() != 1) {
            throw new UsageException("give exactly one JOB");
        }
        return args.positional().get(0);
    }

    /** {@code sluice daemon -c FILE}. */
    static final class Daemon implements Command {
        @Override public String name() { return "daemon"; }
        @Override public String summary() { return "run the jobs of a config file on schedule, serve the control socket and metrics"; }
        @Override public Set<String> valued() { return Set.of("--config"); }
        @Override public Set<String> flags() { return Set.of("--help"); }

        @Override
        public String help() {
            return """
                    Usage: sluice daemon -c CONFIG

                    Runs in the foreground until SIGTERM or SIGINT: schedules every job of CONFIG
                    (schedule: every 1h, a cron expression, or manual), serves the control socket
                    RUNTIME_DIR/control.sock for status, run, cancel and reload, and serves metrics
                    in Prometheus text format on global.metrics. SIGHUP reloads CONFIG. On SIGTERM
                    running jobs get global.shutdown_grace to finish, then are cancelled (no partial
                    snapshot is written); the exit status is then 0. Logs go to stderr, one line per
                    event. See docs/daemon.md.

                    Exit status: 0 stopped by a signal, 1 could not start, 2 invalid configuration.
                    """;
        }

        @Override
        public int run(Arguments args, Console console) throws Exception {
            String file = args.value("--config");
            if (file == null) {
                throw new UsageException("give the config file with -c CONFIG");
            }
            if (!args.positional().isEmpty()) {
                throw new UsageException("unexpected argument '" + args.positional().get(0) + "'");
            }
            SluiceConfig config = ConfigCommands.load(Path.of(file));
            try {
                return new DaemonLauncher(Path.of(file), console.err(), console.env(), console.clock(), List.of())
                        .run(config);
            } catch (IOException e) {
                throw new CommandException(ExitCode.FAILURE, "cannot start: " + e.getMessage(), e);
            }
        }
    }

    /** {@code sluice run JOB [--wait]}. */
    static final class Run implements Command {
        @Override public String name() { return "run"; }
        @Override public String summary() { return "wake a job of the running daemon now (--wait: until it ends)"; }
        @Override public Set<String> valued() { return Set.of("--config", "--runtime-dir"); }
        @Override public Set<String> flags() { return Set.of("--help", "--wait"); }

        @Override
        public String help() {
            return "Usage: sluice run JOB [--wait] [-c CONFIG | --runtime-dir DIR]\n\n"
                    + "Starts JOB in the running daemon now (if it is already running, joins that run).\n"
                    + "With --wait, waits for the run to end and exits with its status.\n\nOptions:\n"
                    + "  --wait                   wait for the run and exit with its status\n" + SOCKET_HELP
                    + "\nExit status: without --wait 0 when started; with --wait the job's status (0 ok, 1 failed,\n"
                    + "3 some files unreadable, ...); 1 when no daemon answers or there is no such job.\n";
        }

        @Override
        public int run(Arguments args, Console console) throws Exception {
            String job = oneJob(args);
            boolean wait = args.flag("--wait");
            Map<String, Object> answer = call(socket(args, console), request("run", job, wait));
            if (!wait) {
                console.out().println("started job " + job);
                return ExitCode.OK;
            }
            int status = ((Number) answer.get("status")).intValue();
            console.out().println("job " + job + " ended with status " + status);
            return status;
        }
    }

    /** {@code sluice cancel JOB}. */
    static final class Cancel implements Command {
        @Override public String name() { return "cancel"; }
        @Override public String summary() { return "cancel a running job of the daemon (no snapshot is written)"; }
        @Override public Set<String> valued() { return Set.of("--config", "--runtime-dir"); }
        @Override public Set<String> flags() { return Set.of("--help"); }

        @Override
        public String help() {
            return "Usage: sluice cancel JOB [-c CONFIG | --runtime-dir DIR]\n\n"
                    + "Cancels JOB's run in the running daemon; it stops without writing a snapshot.\n\nOptions:\n"
                    + SOCKET_HELP + "\nExit status: 0 cancelled or not running, 1 no daemon or no such job.\n";
        }

        @Override
        public int run(Arguments args, Console console) throws Exception {
            String job = oneJob(args);
            Map<String, Object> answer = call(socket(args, console), request("cancel", job, null));
            console.out().println(Boolean.TRUE.equals(answer.get("cancelled")) ? "cancelling job " + job
                    : "job " + job + " is not running");
            return ExitCode.OK;
        }
    }

    /** {@code sluice reload}. */
    static final class Reload implements Command {
        @Override public String name() { return "reload"; }
        @Override public String summary() { return "make the running daemon read its config file again"; }
        @Override public Set<String> valued() { return Set.of("--config", "--runtime-dir"); }
        @Override public Set<String> flags() { return Set.of("--help"); }

        @Override
        public String help() {
            return "Usage: sluice reload [-c CONFIG | --runtime-dir DIR]\n\n"
                    + "The daemon reads its config file again (as on SIGHUP). A valid file takes over without\n"
                    + "interrupting runs in progress; an invalid one is rejected with every problem and the\n"
                    + "old configuration keeps running.\n\nOptions:\n" + SOCKET_HELP
                    + "\nExit status: 0 reloaded, 1 no daemon answers, 2 the new configuration is invalid.\n";
        }

        @Override
        @SuppressWarnings("unchecked")
        public int run(Arguments args, Console console) throws Exception {
            Path socket = args.value("--runtime-dir") != null ? socket(args, console)
                    : socketWithoutValidating(args, console);
            Map<String, Object> answer = call(socket, request("reload", null, null));
            if (!Boolean.TRUE.equals(answer.get("ok"))) {
                console.err().println("sluice reload: " + answer.get("error") + ":");
                for (Object p : (List<Object>) answer.get("problems")) {
                    console.err().println("  " + p);
                }
                return ExitCode.USAGE;
            }
            console.out().println("reloaded: added " + list(answer.get("added")) + ", removed "
                    + list(answer.get("removed")) + ", changed " + list(answer.get("changed")));
            if (answer.get("services") instanceof List<?> services) {
                for (Object s : services) {
                    console.out().println("  " + s);
                }
            }
            return ExitCode.OK;
        }

        /** The new file may be invalid (that is what reload reports), so only its runtime_dir is looked for. */
        private static Path socketWithoutValidating(Arguments args, Console console) throws CommandException {
            try {
                return socket(args, console);
            } catch (CommandException invalid) {
                if (console.env().get("SLUICE_RUNTIME_DIR") != null) {
                    return Path.of(console.env().get("SLUICE_RUNTIME_DIR")).resolve(DaemonLauncher.CONTROL_SOCKET);
                }
                throw new CommandException(ExitCode.USAGE, invalid.getMessage()
                        + "\n(the config file is invalid, so its runtime_dir is unknown: give --runtime-dir DIR)");
            }
        }

        private static String list(Object o) {
            List<?> l = (List<?>) o;
            return l.isEmpty() ? "none" : l.stream().map(String::valueOf).reduce((a, b) -> a + " " + b).orElse("");
        }
    }
}
