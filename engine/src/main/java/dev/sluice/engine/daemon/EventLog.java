package dev.sluice.engine.daemon;

import dev.sluice.engine.config.GlobalSpec;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * The daemon's log: one line per event on stderr ({@code LEVEL event key=value ...}) for journald, filtered by
 * {@code global.log_level}. Values with spaces or quotes are quoted.
 */
public final class EventLog {
    private final PrintStream out;
    private final Clock clock;
    private final boolean timestamps;
    private volatile int threshold;

    /**
     * @param timestamps whether lines start with the time (off under journald, which adds its own)
     */
    public EventLog(PrintStream out, Clock clock, String level, boolean timestamps) {
        this.out = out;
        this.clock = clock;
        this.timestamps = timestamps;
        setLevel(level);
    }

    /** Changes the level, e.g. after a reload. */
    public void setLevel(String level) {
        int index = GlobalSpec.LOG_LEVELS.indexOf(level);
        if (index < 0) {
            throw new IllegalArgumentException("unknown log level '" + level + "'");
        }
        threshold = index;
    }

    public boolean enabled(String level) {
        return GlobalSpec.LOG_LEVELS.indexOf(level) <= threshold;
    }

    public void error(String event, Object... keyValues) { log("error", event, keyValues); }
    public void warn(String event, Object... keyValues) { log("warn", event, keyValues); }
    public void info(String event, Object... keyValues) { log("info", event, keyValues); }
    public void debug(String event, Object... keyValues) { log("debug", event, keyValues); }

    /** Writes {@code level event k1=v1 k2=v2}; null values are left out. */
    public void log(String level, String event, Object... keyValues) {
        if (!enabled(level)) {
            return;
        }
        StringBuilder line = new StringBuilder(128);
        if (timestamps) {
            line.append(Instant.now(clock).truncatedTo(ChronoUnit.MILLIS)).append(' ');
        }
        line.append(level).append(' ').append(event);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            Object value = keyValues[i + 1];
            if (value != null) {
                line.append(' ').append(keyValues[i]).append('=').append(quote(String.valueOf(value)));
            }
        }
        synchronized (out) {
            out.println(line);
        }
    }

    /** Same as {@link #log} with a map, in its iteration order. */
    public void log(String level, String event, Map<String, ?> fields) {
        Object[] kv = new Object[fields.size() * 2];
        int i = 0;
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            kv[i++] = e.getKey();
            kv[i++] = e.getValue();
        }
        log(level, event, kv);
    }

    static String quote(String value) {
        boolean plain = !value.isEmpty();
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            plain = c > ' ' && c != '"' && c != '=' && c != 0x7f;
        }
        if (plain) {
            return value;
        }
        StringBuilder q = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                default -> q.append(c < ' ' ? '?' : c);
            }
        }
        return q.append('"').toString();
    }
}
