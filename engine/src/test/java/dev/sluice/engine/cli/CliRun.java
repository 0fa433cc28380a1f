package dev.sluice.engine.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the sluice CLI in-process with captured output, for tests. */
public record CliRun(int exit, String out, String err) {

    public static CliRun of(String... args) {
        return with(Map.of(), args);
    }

    public static CliRun with(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new HashMap<>(env), false, Clock.systemUTC());
        int code = Main.run(List.of(args), console);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A long field of a one-line JSON summary, e.g. {@code json("bytes_read")}. */
    public long json(String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\":(-?\\d+)").matcher(out);
        if (!m.find()) {
            throw new AssertionError("no field " + field + " in output: " + this);
        }
        return Long.parseLong(m.group(1));
    }

    public String jsonString(String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\":\"([^\"]*)\"").matcher(out);
        if (!m.find()) {
            throw new AssertionError("no field " + field + " in output: " + this);
        }
        return m.group(1);
    }

    public CliRun expect(int code) {
        if (exit != code) {
            throw new AssertionError("expected exit " + code + " but got " + exit + "\n" + this);
        }
        return this;
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
