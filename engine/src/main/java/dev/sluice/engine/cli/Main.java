package dev.sluice.engine.cli;

import dev.sluice.transport.tls.TlsClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The {@code sluice} command: finds the command named by the first words and runs it. */
public final class Main {
    static final String VERSION = "0.1.0";

    private static final List<Command> COMMANDS = List.of(
            new KeyInitCommand(),
            new TlsInitCommand(),
            new InitCommand(),
            new BackupCommand(),
            new MirrorCommand(),
            new SnapshotsCommand(),
            new RestoreCommand(),
            new CheckCommand(),
            new PruneCommand(),
            new UnlockCommand(),
            new ConfigCommands(),
            new HooksCommand(),
            new DaemonCommands.Daemon(),
            new StatusCommand(),
            new DaemonCommands.Run(),
            new DaemonCommands.Cancel(),
            new StdinserverCommand(),
            new DaemonCommands.Reload(),
            new QuickstartCommand());

    private Main() {}

    public static void main(String[] args) {
        defaultProperties();
        int code = run(Arrays.asList(args), Console.system());
        // The JVM's exit waits up to 0.3 s for threads that are in native code: idle event loops (in epoll_wait),
        // and the threads that wait for an ssh child closing its session and read its stderr.
        awaitChildren(Duration.ofSeconds(2));
        TlsClient.releaseSharedLoops(Duration.ofSeconds(2));
        System.out.flush();
        System.exit(code);
    }

    /**
     * Sets the process-wide properties sluice runs with, unless given on the command line (-D). They must be set
     * before the first NIO read and before Netty's first class loads.
     */
    static void defaultProperties() {
        // Reads into heap buffers make the JDK keep a temporary direct buffer per thread as
        // large as the largest read (MiB per I/O thread); cap what it may keep.
        if (System.getProperty("jdk.nio.maxCachedBufferSize") == null) {
            System.setProperty("jdk.nio.maxCachedBufferSize", "262144");
        }
        // Netty's allocator defines JFR events; the first chunk it allocates then starts the JDK's JFR metadata
        // (about 50 ms, more without the launcher's class archive) in every process, recording or not. Off unless
        // asked for with -Dio.netty.jfr.enabled=true (docs/launcher.md).
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
    }

    /** Waits up to {@code timeout} in all for this process's children (an ssh ending its session) to exit. */
    private static void awaitChildren(Duration timeout) {
        try {
            CompletableFuture.allOf(ProcessHandle.current().children().map(ProcessHandle::onExit)
                    .toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // still running: exit anyway, as before
        }
    }

    /** Runs a command line and returns its exit status; nothing here calls System.exit. */
    public static int run(List<String> args, Console console) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            console.out().print(overview());
            return args.isEmpty() ? ExitCode.USAGE : ExitCode.OK;
        }
        if (args.get(0).equals("--version") || args.get(0).equals("version")) {
            console.out().println("sluice " + VERSION);
            return ExitCode.OK;
        }
        for (Command c : COMMANDS) {
            List<String> words = List.of(c.name().split(" "));
            if (args.size() >= words.size() && args.subList(0, words.size()).equals(words)) {
                return runCommand(c, args.subList(words.size(), args.size()), console);
            }
        }
        console.err().println("sluice: unknown command '" + String.join(" ", args.subList(0, Math.min(2, args.size())))
                + "'; see 'sluice --help'");
        return ExitCode.USAGE;
    }

    private static int runCommand(Command c, List<String> rest, Console console) {
        try {
            Arguments a = Arguments.parse(rest, c.valued(), c.flags(), c.aliases(), console.env());
            if (a.flag("--help")) {
                console.out().print(c.help());
                return ExitCode.OK;
            }
            return c.run(a, console);
        } catch (UsageException e) {
            console.err().println("sluice " + c.name() + ": " + e.getMessage());
            console.err().println("see 'sluice " + c.name() + " --help'");
            return ExitCode.USAGE;
        } catch (CommandException e) {
            console.err().println("sluice " + c.name() + ": " + e.getMessage());
            return e.exitCode();
        } catch (Exception e) {
            console.err().println("sluice " + c.name() + ": failed: " + Failures.describe(e));
            if (console.env().containsKey("SLUICE_DEBUG")) {
                e.printStackTrace(console.err());
            }
            return ExitCode.FAILURE;
        }
    }

    private static String overview() {
        StringBuilder s = new StringBuilder("""
                sluice: encrypted, deduplicated backups and replication for Linux servers

                Usage: sluice COMMAND [options]   (sluice COMMAND --help for details)

                Commands:
                """);
        for (Command c : COMMANDS) {
            s.append(String.format("  %-17s %s%n", c.name(), c.summary()));
        }
        s.append("""

                Environment: SLUICE_REPO, SLUICE_KEY_FILE, SLUICE_PASSWORD_FILE stand in for
                --repo, --key-file, --password-file.
                Exit status: 0 ok, 1 failure, 2 usage or configuration error, 3 completed but some
                files could not be read or restored, 4 check found damage, 10 no repository,
                11 repository locked, 12 wrong key or password.
                """);
        return s.toString();
    }
}
