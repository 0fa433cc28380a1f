package dev.sluice.hook;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The description of every hook point that {@code sluice hooks} prints: when, where, and with what contract. */
public final class HookCatalog {

    /** Where a point's hooks run. */
    public enum Side {
        SOURCE, SINK, BOTH;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One point's entry.
     *
     * @param point      the point
     * @param when       when it runs
     * @param side       which host runs it
     * @param args       its arguments, before the configured ones
     * @param env        the variables beyond the common ones
     * @param stdin      what it can read on stdin
     * @param stdout     what its stdout means (it is always logged)
     * @param exitStatus what its exit status means
     */
    public record Entry(HookPoint point, String when, Side side, String args, String env, String stdin,
                        String stdout, String exitStatus) {
        public Entry {
            Objects.requireNonNull(point, "point");
            Objects.requireNonNull(when, "when");
            Objects.requireNonNull(side, "side");
            Objects.requireNonNull(args, "args");
            Objects.requireNonNull(env, "env");
            Objects.requireNonNull(stdin, "stdin");
            Objects.requireNonNull(stdout, "stdout");
            Objects.requireNonNull(exitStatus, "exitStatus");
        }
    }

    /** One variable every hook gets. */
    public record Variable(String name, String meaning) {
        public Variable {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(meaning, "meaning");
        }
    }

    private static final String NO_STDIN = "nothing (/dev/null)";
    private static final String LOG_ONLY = "logged only";
    private static final String STATUS_ARG = "$1 = status of the phase, 0..255 (0 = success)";
    private static final String STATUS_ENV = "SLUICE_STATUS (= $1)";

    private final List<Entry> entries;
    private final List<Variable> environment;

    private HookCatalog(List<Entry> entries, List<Variable> environment) {
        this.entries = List.copyOf(entries);
        this.environment = List.copyOf(environment);
    }

    /** The catalog of this version of sluice. */
    public static HookCatalog standard() {
        List<Entry> e = new ArrayList<>();
        e.add(new Entry(HookPoint.JOB_START,
                "first, when the job starts on this host (on the source of a pull job: when the sink asks for the job)",
                Side.BOTH, "none", "common only", NO_STDIN, LOG_ONLY,
                "0: go on; non-zero/timeout with on_error abort: the job does not run, job.end still runs"));
        e.add(new Entry(HookPoint.SNAPSHOT_PRE,
                "before the snapshot is taken (freeze or dump a database), on the source even when the sink drives a pull",
                Side.SOURCE, "none", "common only", NO_STDIN, LOG_ONLY,
                "0: go on; failure with abort: no snapshot is taken, the post points of pre points already passed run, then job.end"));
        e.add(new Entry(HookPoint.TRANSFER_PRE,
                "after snapshot.pre, before the source is scanned and sent",
                Side.SOURCE, "none", "common only", NO_STDIN,
                "zero or more extra exclude patterns, each terminated by a NUL byte (printf '%s\\0' PATTERN); "
                        + "non-empty UTF-8, no newline, at most 4096 bytes each; anything else is a contract error",
                "0: go on with the excludes; failure with abort: nothing is transferred, no snapshot is stored"));
        e.add(new Entry(HookPoint.TRANSFER_POST,
                "after the transfer ended, successfully or not (also as cleanup when transfer.pre passed and the job aborted later)",
                Side.SOURCE, STATUS_ARG + " (as replaced by earlier transfer.post hooks)", STATUS_ENV,
                "the transfer summary as one UTF-8 JSON object ({\"completed\":false,\"status\":N} when run as cleanup)",
                "empty, or one exit status 0..255 with an optional newline, replacing the transfer's status; anything else is a contract error",
                "0: accepted (and any printed status applies); failure with abort: the job fails"));
        e.add(new Entry(HookPoint.SNAPSHOT_POST,
                "after the snapshot was stored or failed (thaw what snapshot.pre froze); also as cleanup when snapshot.pre passed and the job aborted later",
                Side.SOURCE, STATUS_ARG, STATUS_ENV, NO_STDIN, LOG_ONLY,
                "0: fine; failure with abort: the job fails (a stored snapshot stays); every snapshot.post hook runs regardless"));
        e.add(new Entry(HookPoint.PRUNE_POST,
                "after retention pruned the job's snapshots",
                Side.SINK, STATUS_ARG, STATUS_ENV, NO_STDIN, LOG_ONLY,
                "0: fine; failure with abort: the job fails"));
        e.add(new Entry(HookPoint.JOB_END,
                "always, last, like finally: after success, failure or an aborting hook",
                Side.BOTH, "$1 = the job's final status, 0..255 (0 = success)", STATUS_ENV, NO_STDIN, LOG_ONLY,
                "0: fine; failure with abort: a successful job is reported as failed"));
        List<Variable> env = List.of(
                new Variable("PATH", HookEnvironment.DEFAULT_PATH + " (the daemon's PATH is not passed on)"),
                new Variable("HOME", "the home directory of the user sluice runs as"),
                new Variable("SLUICE_HOOK", "the point's name, e.g. snapshot.pre"),
                new Variable("SLUICE_JOB", "the job's name"),
                new Variable("SLUICE_SNAPSHOT", "the snapshot's id, empty before it is known"),
                new Variable("SLUICE_ROLE", "source or sink"),
                new Variable("SLUICE_DRY_RUN", "1 in a dry run (hooks still run and should not change anything), else 0"),
                new Variable("SLUICE_STATUS", "the status argument, at points that take one"),
                new Variable("SLUICE_*", "further variables the engine documents (checked: no newline, CR or NUL)"));
        return new HookCatalog(e, env);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The variables every hook gets, beyond the per-point ones. */
    public List<Variable> environment() {
        return environment;
    }

    /** The entry for a point. */
    public Entry entry(HookPoint point) {
        return entries.stream().filter(x -> x.point() == point).findFirst()
                .orElseThrow(() -> new IllegalStateException("hook catalog has no entry for " + point));
    }

    /** A plain-text rendering for a terminal. */
    public String renderText() {
        StringBuilder b = new StringBuilder();
        b.append("Hook points, in the order they run:\n");
        for (Entry x : entries) {
            b.append('\n').append(x.point().id()).append('\n');
            field(b, "when", x.when());
            field(b, "side", x.side().id());
            field(b, "args", x.args());
            field(b, "env", x.env());
            field(b, "stdin", x.stdin());
            field(b, "stdout", x.stdout());
            field(b, "exit status", x.exitStatus());
            x.point().counterpart().ifPresent(c -> field(b, "pairs with", c.id()));
        }
        b.append("\nEnvironment of every hook (nothing else is inherited):\n");
        for (Variable v : environment) {
            b.append(String.format("  %-16s %s%n", v.name(), v.meaning()));
        }
        b.append("\nHooks run directly (no shell) with the configured arguments after the point's, in the job's working"
                + " directory, as the same user; a timeout ends the hook's whole process tree.\n");
        return b.toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(String.format("  %-12s %s%n", name, value));
    }

    /**
     * A JSON rendering: {@code {"points":[{"name","when","side","args","env","stdin","stdout","exit_status",
     * "counterpart"}...],"environment":[{"name","meaning"}...]}}; counterpart is null for unpaired points.
     */
    public String renderJson() {
        StringBuilder b = new StringBuilder("{\"points\":[");
        for (int i = 0; i < entries.size(); i++) {
            Entry x = entries.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append('{');
            JsonText.member(b, "name", x.point().id()).append(',');
            JsonText.member(b, "when", x.when()).append(',');
            JsonText.member(b, "side", x.side().id()).append(',');
            JsonText.member(b, "args", x.args()).append(',');
            JsonText.member(b, "env", x.env()).append(',');
            JsonText.member(b, "stdin", x.stdin()).append(',');
            JsonText.member(b, "stdout", x.stdout()).append(',');
            JsonText.member(b, "exit_status", x.exitStatus()).append(',');
            JsonText.member(b, "counterpart", x.point().counterpart().map(HookPoint::id).orElse(null));
            b.append('}');
        }
        b.append("],\"environment\":[");
        for (int i = 0; i < environment.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append('{');
            JsonText.member(b, "name", environment.get(i).name()).append(',');
            JsonText.member(b, "meaning", environment.get(i).meaning());
            b.append('}');
        }
        return b.append("]}").toString();
    }
}
