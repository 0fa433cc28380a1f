package dev.sluice.engine.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Binds where a pulling job takes its data from (a pull job's {@code source}, a mirror pull job's
 * {@code mirror.pull}) onto a {@link PullSourceSpec}.
 */
final class PullSourceBinder {

    static final List<String> SOURCE_KEYS = List.of("job", "tls", "ssh", "reverse", "wait",
            "snapshot_rate_limit");

    private final Problems problems;
    private final ConnectBinder connects;
    private final ListenerIdentities listenerIdentities;

    PullSourceBinder(NodeReader reader, ConnectBinder connects, ListenerIdentities listenerIdentities) {
        this.problems = reader.problems();
        this.connects = connects;
        this.listenerIdentities = listenerIdentities;
    }

    /** A pull job's {@code source}: {@code job} and exactly one of {@code tls}, {@code ssh}, {@code reverse}. */
    PullSourceSpec pullSource(ConfigSection job) {
        Optional<ConfigSection> section = job.section("source", SOURCE_KEYS);
        if (section.isEmpty()) {
            if (job.present("source").isEmpty()) {
                job.missing("source", "a mapping with job and one of tls, ssh or reverse");
            }
            return null;
        }
        return pullSource(section.get(), false);
    }

    /**
     * {@code job} and exactly one of {@code tls}, {@code ssh}, {@code reverse} (and {@code wait}): a backup pull
     * job's {@code source} or a mirror pull job's {@code mirror.pull}, whose {@code tls} may be insecure.
     */
    PullSourceSpec pullSource(ConfigSection source, boolean mirror) {
        int before = problems.size();
        Optional<String> sourceJob = source.required("job", Conversion.jobName());
        Duration wait = source.optional("wait", Conversion.duration()).orElse(PullSourceSpec.DEFAULT_WAIT);
        Integer perHour = source.optional("snapshot_rate_limit", Conversion.rateLimit()).orElse(null);
        List<String> ways = List.of("tls", "ssh", "reverse").stream()
                .filter(k -> source.present(k).isPresent()).toList();
        if (ways.isEmpty()) {
            problems.at(source.mapping(), source.path(), "the source says neither how to reach it (tls or ssh) nor"
                    + " whose link to wait for (reverse); set one of them");
            return null;
        }
        if (ways.size() > 1) {
            YamlNode.Entry second = source.present(ways.get(1)).orElseThrow();
            problems.add(second.line(), second.column(), source.path(ways.get(1)), "set one of "
                    + String.join(", ", ways) + ", not several");
            return null;
        }
        ConnectSpec connect = null;
        String reverse = null;
        if (ways.get(0).equals("reverse")) {
            reverse = source.optional("reverse", Conversion.identity()).orElse(null);
            if (reverse != null) {
                listenerIdentities.expect(reverse, source.present("reverse").orElseThrow().value(),
                        source.path("reverse"), "the source of a reverse pull");
            }
        } else if (mirror && ways.get(0).equals("tls")) {
            connect = connects.mirrorTls(source).orElse(null);
        } else {
            connect = connects.connect(source, false).orElse(null);
        }
        if (problems.size() != before || sourceJob.isEmpty() || connect == null && reverse == null) {
            return null;
        }
        return new PullSourceSpec(sourceJob.get(), connect, reverse, wait, perHour);
    }
}
