package dev.sluice.engine.cli;

import dev.sluice.engine.daemon.ControlClient;
import dev.sluice.engine.json.JsonReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code sluice status}: the running daemon's jobs as a table (or JSON), once or redrawn live. */
final class StatusCommand implements Command {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @Override public String name() { return "status"; }
    @Override public String summary() { return "show the running daemon's jobs: state, progress, last result, next run"; }
    @Override public Set<String> valued() { return Set.of("--config", "--runtime-dir", "--interval"); }
    @Override public Set<String> flags() { return Set.of("--help", "--json", "--watch"); }

    @Override
    public String help() {
        return "Usage: sluice status [--json] [--watch] [-c CONFIG | --runtime-dir DIR]\n\n"
                + "Asks the running daemon for every job's state (idle, running, cancelling), the progress\n"
                + "of a running job, the last result and its time, the next run and the last error.\n\n"
                + "Options:\n"
                + "  --json                   print the daemon's answer as JSON (see docs/daemon.md)\n"
                + "  --watch                  redraw every second until interrupted\n"
                + "  --interval MS            redraw interval for --watch in milliseconds (default 1000)\n"
                + DaemonCommands.SOCKET_HELP
                + "\nExit status: 0 ok, 1 no daemon answers.\n";
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        Path socket = DaemonCommands.socket(args, console);
        boolean json = args.flag("--json");
        if (!args.flag("--watch")) {
            console.out().println(render(fetch(socket), json, console));
            return ExitCode.OK;
        }
        long interval = args.value("--interval") == null ? 1000 : Long.parseLong(args.value("--interval"));
        while (true) {
            String answer = fetch(socket);
            if (json) {
                console.out().println(answer);
            } else {
                console.out().print("\033[H\033[2J" + render(answer, false, console) + "\n");
            }
            console.out().flush();
            Thread.sleep(interval);
        }
    }

    private static String fetch(Path socket) throws CommandException {
        try (ControlClient client = ControlClient.connect(socket)) {
            return client.exchange(DaemonCommands.request("status", null, null));
        } catch (IOException e) {
            throw new CommandException(ExitCode.FAILURE, e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    static String render(String answer, boolean json, Console console) throws CommandException {
        if (json) {
            return answer;
        }
        Map<String, Object> status = JsonReader.object(answer);
        if (!Boolean.TRUE.equals(status.get("ok"))) {
            throw new CommandException(ExitCode.FAILURE, String.valueOf(status.get("error")));
        }
        Instant now = console.clock().instant();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"JOB", "STATE", "PROGRESS", "LAST", "LAST RUN", "NEXT RUN", "LAST ERROR"});
        for (Object o : (List<Object>) status.get("jobs")) {
            Map<String, Object> job = (Map<String, Object>) o;
            Map<String, Object> last = (Map<String, Object>) job.get("last");
            Map<String, Object> progress = (Map<String, Object>) job.get("progress");
            String progressText = progress == null ? "-" : progress.get("files") + " files, "
                    + Human.bytes(((Number) progress.get("bytes_read")).longValue()) + " read";
            String lastText = last == null ? "never" : last.get("status").equals(0L) ? "ok"
                    : Boolean.TRUE.equals(last.get("cancelled")) ? "cancelled" : "status " + last.get("status");
            rows.add(new String[] {
                (String) job.get("job"),
                (String) job.get("state"),
                progressText,
                lastText,
                last == null ? "-" : when((String) last.get("ended"), now, console),
                job.get("next_run") == null ? (String) job.get("schedule") : when((String) job.get("next_run"), now, console),
                last == null || last.get("error") == null ? "-" : (String) last.get("error")});
        }
        return table(rows) + "daemon pid " + status.get("pid") + ", config " + status.get("config")
                + (status.get("metrics") == null ? "" : ", metrics http://" + status.get("metrics") + "/metrics");
    }

    private static String when(String iso, Instant now, Console console) {
        Instant t = Instant.parse(iso);
        String local = TIME.format(t.atZone(ZoneId.systemDefault()));
        Duration d = Duration.between(now, t);
        String rel = d.isNegative() ? Human.duration(d.negated()) + " ago" : "in " + Human.duration(d);
        return local + " (" + rel + ")";
    }

    private static String table(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                out.append(i == r.length - 1 ? r[i] : String.format("%-" + (width[i] + 2) + "s", r[i]));
            }
            out.append('\n');
        }
        return out.toString();
    }
}
