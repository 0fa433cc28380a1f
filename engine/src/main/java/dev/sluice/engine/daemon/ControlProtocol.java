package dev.sluice.engine.daemon;

import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.json.JsonReader;
import dev.sluice.engine.json.JsonWriter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * The control protocol's server side: one JSON request per line ({@code {"op":"status"}},
 * {@code {"op":"run","job":"J","wait":true}}, {@code {"op":"cancel","job":"J"}}, {@code {"op":"reload"}},
 * {@code {"op":"handover","job":"J","config_file":"F","config_sha256":"H"}}), one JSON response per line with
 * {@code "ok"} true or false (then {@code "error"} says why). Specified in docs/daemon.md.
 */
public final class ControlProtocol implements Function<String, Mono<String>> {
    /** The protocol version, sent in every status answer. */
    public static final int VERSION = 1;

    private final Daemon daemon;
    private final Supplier<String> metricsAddress;
    private final Instant started;
    private final Runnable reloadHook;

    /**
     * @param metricsAddress the metrics address actually bound, or null when metrics are off
     * @param reloadHook runs after an accepted reload (to apply a new log level)
     */
    public ControlProtocol(Daemon daemon, Supplier<String> metricsAddress, Instant started, Runnable reloadHook) {
        this.daemon = daemon;
        this.metricsAddress = metricsAddress;
        this.started = started;
        this.reloadHook = reloadHook;
    }

    @Override
    public Mono<String> apply(String line) {
        Map<String, Object> request;
        try {
            request = JsonReader.object(line);
        } catch (IllegalArgumentException e) {
            return Mono.just(error("the request is not a JSON object: " + e.getMessage()));
        }
        Object op = request.get("op");
        String job = request.get("job") instanceof String s ? s : null;
        if (!(op instanceof String)) {
            return Mono.just(error("the request has no \"op\"; expected status, run, handover, cancel or reload"));
        }
        switch ((String) op) {
            case "status":
                return Mono.fromSupplier(this::status);
            case "run":
                return run(job, Boolean.TRUE.equals(request.get("wait")));
            case "handover":
                return handover(job, request.get("config_file"), request.get("config_sha256"));
            case "cancel":
                return Mono.fromSupplier(() -> cancel(job));
            case "reload":
                return Mono.fromCallable(this::reload).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic());
            default:
                return Mono.just(error("unknown op '" + op + "'; expected status, run, handover, cancel or reload"));
        }
    }

    private Mono<String> run(String job, boolean wait) {
        if (job == null) {
            return Mono.just(error("run needs a \"job\""));
        }
        Optional<Mono<Integer>> run = daemon.run(job);
        if (run.isEmpty()) {
            return Mono.just(error(noJob(job)));
        }
        if (!wait) {
            return Mono.just(new JsonWriter().beginObject().name("ok").value(true).field("job", job)
                    .name("started").value(true).endObject().toString());
        }
        return run.get()
                .map(status -> new JsonWriter().beginObject().name("ok").value(true).field("job", job)
                        .field("status", status).endObject().toString())
                .onErrorResume(e -> Mono.just(error(e.getMessage())));
    }

    /**
     * A command hands a job of this daemon's configuration over ({@code sluice mirror}): only when this daemon
     * has loaded the same file, as it is now ({@code config_file}, real path; {@code config_sha256}, its bytes'
     * digest), else the answer has {@code "config_differs": true} and the command runs the job itself. The run
     * starts after the request (after the current one, if the job is running) and the answer, when it has ended,
     * carries its status, error, facts and first problems.
     */
    private Mono<String> handover(String job, Object file, Object sha256) {
        if (job == null || !(file instanceof String f) || !(sha256 instanceof String digest)) {
            return Mono.just(error("handover needs a \"job\", \"config_file\" and \"config_sha256\""));
        }
        boolean sameFile = sameFile(f);
        String differs = configDiffers(f, sameFile, digest);
        if (differs != null) {
            return Mono.just(new JsonWriter().beginObject().name("ok").value(false).field("error", differs)
                    .name("config_differs").value(true).name("same_file").value(sameFile).endObject().toString());
        }
        Optional<Mono<RunReport>> run = daemon.runHandedOver(job);
        if (run.isEmpty()) {
            return Mono.just(error(noJob(job)));
        }
        return run.get().map(r -> report(job, r)).onErrorResume(e -> Mono.just(error(e.getMessage())));
    }

    /**
     * Why this daemon's configuration is not the command's file {@code file} (which {@code sameFile} says is this
     * daemon's file or not) with digest {@code sha256}, or null.
     */
    private String configDiffers(String file, boolean sameFile, String sha256) {
        SluiceConfig loaded = daemon.config();
        if (!sameFile) {
            return "the daemon runs the configuration " + loaded.file() + ", not " + file;
        }
        if (loaded.sha256().isEmpty() || !loaded.sha256().equals(sha256)) {
            return "the daemon loaded " + file + " before its last change (sluice reload makes it read it again)";
        }
        return null;
    }

    /** Whether {@code file} (a real path) is the file this daemon's configuration was loaded from. */
    private boolean sameFile(String file) {
        try {
            return daemon.config().file().toRealPath().toString().equals(file);
        } catch (IOException gone) {
            return false;
        }
    }

    private static String report(String job, RunReport r) {
        JsonWriter w = new JsonWriter().beginObject().name("ok").value(true).field("job", job)
                .field("status", r.status()).field("error", r.error()).name("cancelled").value(r.cancelled());
        w.name("facts").beginObject();
        r.facts().forEach((name, value) -> {
            w.name(name);
            if (value instanceof Number n) {
                w.value(n.longValue());
            } else if (value instanceof Boolean b) {
                w.value(b);
            } else {
                w.value(String.valueOf(value));
            }
        });
        w.endObject();
        strings(w, "problems", r.problems());
        return w.endObject().toString();
    }

    private String cancel(String job) {
        if (job == null) {
            return error("cancel needs a \"job\"");
        }
        Optional<Boolean> was = daemon.cancel(job);
        if (was.isEmpty()) {
            return error(noJob(job));
        }
        return new JsonWriter().beginObject().name("ok").value(true).field("job", job)
                .name("cancelled").value(was.get()).endObject().toString();
    }

    private String reload() {
        Daemon.Reload r = daemon.reload();
        JsonWriter w = new JsonWriter().beginObject().name("ok").value(r.accepted());
        if (!r.accepted()) {
            w.field("error", "the new configuration was rejected; the old one keeps running");
            strings(w, "problems", r.problems());
        } else {
            reloadHook.run();
            strings(w, "added", r.added());
            strings(w, "removed", r.removed());
            strings(w, "changed", r.changed());
            strings(w, "services", r.services());
        }
        return w.endObject().toString();
    }

    private String status() {
        JsonWriter w = new JsonWriter().beginObject().name("ok").value(true)
                .field("version", VERSION)
                .field("pid", ProcessHandle.current().pid())
                .field("config", daemon.config().file().toString())
                .field("started", started.toString())
                .field("metrics", metricsAddress.get());
        w.name("jobs").beginArray();
        for (JobSlot.View v : daemon.status()) {
            w.beginObject().field("job", v.job()).field("schedule", v.schedule())
                    .field("state", v.state().name().toLowerCase())
                    .field("running_since", time(v.runningSince()))
                    .field("next_run", time(v.nextRun()));
            if (v.progress() != null) {
                w.name("progress");
                progress(w, v.progress());
            }
            LastRun last = v.last();
            if (last != null) {
                RunReport r = last.report();
                w.name("last").beginObject().field("status", r.status())
                        .field("started", time(last.started())).field("ended", time(last.ended()))
                        .field("duration_ms", Duration.between(last.started(), last.ended()).toMillis())
                        .field("snapshot", r.snapshot())
                        .name("cancelled").value(r.cancelled())
                        .field("error", r.error())
                        .name("progress");
                progress(w, r.progress());
                w.endObject();
            }
            w.endObject();
        }
        return w.endArray().endObject().toString();
    }

    private static void progress(JsonWriter w, Progress p) {
        w.beginObject().field("files", p.files()).field("bytes_read", p.bytesRead())
                .field("bytes_added", p.bytesAdded()).field("bytes_sent", p.bytesSent())
                .field("problems", p.problems()).endObject();
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    private static void strings(JsonWriter w, String name, List<String> values) {
        w.name(name).beginArray();
        values.forEach(w::value);
        w.endArray();
    }

    private static String noJob(String job) {
        return "no job named '" + job + "' in the daemon's configuration";
    }

    /** A failure response. */
    public static String error(String message) {
        return new JsonWriter().beginObject().name("ok").value(false).field("error", message).endObject().toString();
    }
}
