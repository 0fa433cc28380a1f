package dev.sluice.engine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Binds a job's {@code hooks} list onto {@link HookSpec}s. */
final class HookBinder {

    private static final List<String> HOOK_KEYS = List.of("point", "path", "args", "timeout", "on_error", "async");

    private final NodeReader reader;
    private final Problems problems;

    HookBinder(NodeReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    /**
     * Where a job's hooks run, which decides the points they may name: a pull job runs at the sink, a mirror job runs
     * no prune, and a mirror pull job (the receiving side) only starts and ends.
     */
    enum Place {
        JOB(HookPointNames.ALL, ""),
        PULL(HookPointNames.AT_SINK, "a pull job runs at the sink, where only " + String.join(", ",
                HookPointNames.AT_SINK) + " hooks run; '%s' runs at the source: configure it on the source's job"),
        MIRROR(HookPointNames.ALL.stream().filter(p -> !p.equals("prune.post")).toList(),
                "a mirror job runs no prune.post hooks; '%s' does not run here"),
        MIRROR_PULL(List.of("job.start", "job.end"), "a mirror pull job (the receiving side) runs hooks at job.start"
                + " and job.end only; '%s' does not run here");

        private final List<String> points;
        private final String refusal;

        Place(List<String> points, String refusal) {
            this.points = points;
            this.refusal = refusal;
        }
    }

    /** The job's hooks; a point that does not run at {@code place} is a problem at that hook's point. */
    List<HookSpec> hooks(ConfigSection job, Place place) {
        Optional<YamlNode.Entry> entry = job.present("hooks");
        if (entry.isEmpty()) {
            return List.of();
        }
        String at = job.path("hooks");
        if (!(entry.get().value() instanceof YamlNode.Sequence list)) {
            reader.wrongType(entry.get().value(), at, "a list of hooks");
            return List.of();
        }
        List<HookSpec> hooks = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            hook(list.items().get(i), at + "[" + i + "]", place).ifPresent(hooks::add);
        }
        return hooks;
    }

    private Optional<HookSpec> hook(YamlNode node, String at, Place place) {
        if (!(node instanceof YamlNode.Mapping mapping)) {
            reader.wrongType(node, at, "a hook (a mapping with point and path)");
            return Optional.empty();
        }
        ConfigSection hook = reader.section(mapping, at, HOOK_KEYS);
        Optional<String> point = hook.required("point", Conversion.oneOf("a hook point", HookPointNames.ALL));
        if (point.isPresent() && !place.points.contains(point.get())) {
            problems.at(hook.present("point").orElseThrow().value(), hook.path("point"),
                    place.refusal.formatted(point.get()));
            return Optional.empty();
        }
        Optional<Path> program = hook.required("path", reader.path());
        List<String> args = hook.list("args", Conversion.text(), "a list of arguments");
        Duration timeout = hook.optional("timeout", Conversion.duration()).orElse(HookSpec.DEFAULT_TIMEOUT);
        if (timeout.isZero()) {
            problems.at(hook.present("timeout").orElseThrow().value(), hook.path("timeout"),
                    "a hook timeout must be longer than zero, for example 30s or 5m");
            return Optional.empty();
        }
        HookSpec.OnError onError = hook.optional("on_error",
                        Conversion.oneOf("abort or warn", List.of("abort", "warn")))
                .map(value -> HookSpec.OnError.valueOf(value.toUpperCase(Locale.ROOT)))
                .orElse(HookSpec.OnError.ABORT);
        boolean async = hook.optional("async", Conversion.bool()).orElse(false);
        if (point.isEmpty() || program.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HookSpec(point.get(), program.get(), args, timeout, onError, async));
    }
}
