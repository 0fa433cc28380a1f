package dev.sluice.engine.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * The daemon's counters and gauges, each a named family of series told apart by labels, rendered in the
 * Prometheus text exposition format (version 0.0.4). Families are declared once with their help text; values
 * come from the job runs, and some gauges are sampled when rendered.
 */
public final class Metrics {

    /** Counter or gauge, as the exposition format names them. */
    public enum Type { COUNTER, GAUGE }

    private record Family(String name, Type type, String help, Map<String, Double> series) {}

    /** A gauge sampled at render time: it writes its series (label text to value) into the map it is given. */
    public interface Sampler extends Consumer<Map<String, Double>> {}

    private final Map<String, Family> families = new ConcurrentSkipListMap<>();
    private final Map<String, Sampler> samplers = new ConcurrentHashMap<>();

    /** Declares a family; declaring it again is a no-op. */
    public Metrics declare(String name, Type type, String help) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("invalid metric name '" + name + "'");
        }
        families.putIfAbsent(name, new Family(name, type, help, new ConcurrentSkipListMap<>()));
        return this;
    }

    /** Declares a gauge whose series are sampled each time the metrics are rendered. */
    public Metrics sampled(String name, String help, Sampler sampler) {
        declare(name, Type.GAUGE, help);
        samplers.put(name, sampler);
        return this;
    }

    /** Adds to a counter (or gauge) series; labels are name, value pairs. */
    public void add(String name, double amount, String... labels) {
        family(name).series().merge(labels(labels), amount, Double::sum);
    }

    /** Sets a gauge series. */
    public void set(String name, double value, String... labels) {
        family(name).series().put(labels(labels), value);
    }

    /** The current value of a series, or 0. */
    public double value(String name, String... labels) {
        return family(name).series().getOrDefault(labels(labels), 0.0);
    }

    /** Forgets every series carrying this label value, e.g. a job removed by a reload. */
    public void forget(String label, String value) {
        String needle = label + "=\"" + escape(value) + "\"";
        for (Family f : families.values()) {
            f.series().keySet().removeIf(k -> k.contains("{" + needle + ",") || k.contains("," + needle + ",")
                    || k.contains("{" + needle + "}") || k.contains("," + needle + "}"));
        }
    }

    /** The exposition text. */
    public String render() {
        StringBuilder out = new StringBuilder(4096);
        for (Family f : families.values()) {
            Map<String, Double> series = f.series();
            Sampler sampler = samplers.get(f.name());
            if (sampler != null) {
                series = new ConcurrentSkipListMap<>();
                sampler.accept(series);
            }
            out.append("# HELP ").append(f.name()).append(' ').append(f.help().replace("\\", "\\\\")
                    .replace("\n", "\\n")).append('\n');
            out.append("# TYPE ").append(f.name()).append(' ').append(f.type().name().toLowerCase()).append('\n');
            for (Map.Entry<String, Double> e : series.entrySet()) {
                out.append(f.name()).append(e.getKey()).append(' ').append(number(e.getValue())).append('\n');
            }
        }
        return out.toString();
    }

    private Family family(String name) {
        Family f = families.get(name);
        if (f == null) {
            throw new IllegalArgumentException("metric " + name + " was not declared");
        }
        return f;
    }

    /** Renders {@code {a="x",b="y"}}, or the empty string for no labels. */
    public static String labels(String... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        if (pairs.length == 0) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            parts.add(pairs[i] + "=\"" + escape(pairs[i + 1]) + "\"");
        }
        return "{" + String.join(",", parts) + "}";
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
        }
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
