package dev.sluice.engine.daemon;

import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.engine.config.GlobalSpec;
import dev.sluice.engine.config.ListenStdinSpec;
import dev.sluice.engine.config.ListenTlsSpec;
import dev.sluice.engine.config.MirrorJobSpec;
import dev.sluice.engine.config.MirrorReceiverSpec;
import dev.sluice.engine.config.PullRepositorySpec;
import dev.sluice.engine.config.ReversePullRepositorySpec;
import dev.sluice.engine.config.SinkSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.fs.CacheRoot;
import dev.sluice.engine.job.Connector;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.mirror.MirrorPolicy;
import dev.sluice.engine.mirror.MirrorReceiver;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.engine.protocol.Keepalive;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.transport.PeerIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Supplier;
import reactor.core.scheduler.Scheduler;

/**
 * The daemon's side towards its peers, built from the configuration at start and brought in line with each
 * reloaded one: the TLS and stdinserver listeners, the sink (repository, clients, rate limit, retention), the
 * mirror receiver and the reverse-pull dials. Who may do what applies to every link accepted after a reload;
 * links already accepted go on as they were admitted. A listener whose address or certificate files changed is
 * bound anew; when that (or a new stdinserver socket) fails, everything is put back as it was and the reload is
 * refused. docs/daemon.md "Reload".
 */
final class PeerServices implements Service {

    /** What the peer side needs of the daemon. */
    record Context(Path runtime, Clock clock, Scheduler timer, Scheduler jobThreads, Scheduler sinkIo,
            Scheduler dials, DaemonPruner pruner, PulledJobs pulled, ParkedLinks parked,
            Supplier<SluiceConfig> config, EventLog log) {
    }

    /**
     * What makes a TLS listener bind anew: its address and the contents of its CA bundle, certificate and key
     * (a renewed certificate under the same name is read again), but not its client map, which changes in place.
     */
    record TlsBinding(String host, int port, Path ca, Path cert, Path key, String files) {
        static TlsBinding of(ListenTlsSpec listen) throws IOException {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            for (Path file : List.of(listen.ca(), listen.cert(), listen.key())) {
                try {
                    sha.update(Files.readAllBytes(file));
                } catch (IOException e) {
                    throw new IOException("cannot read " + file + " of global.listen.tls: " + e.getMessage(), e);
                }
                sha.update((byte) 0);
            }
            return new TlsBinding(listen.host(), listen.port(), listen.ca(), listen.cert(), listen.key(),
                    HexFormat.of().formatHex(sha.digest()));
        }
    }

    private final Context cx;
    private final PeerDispatcher dispatcher;
    private volatile SinkServer sink;
    private volatile MirrorReceiver mirror;
    private volatile boolean pulledJobs;
    /** Hears each sink session's end: the current retention's listener. */
    private volatile SinkServer.SessionListener sessionEnded = SinkServer.SessionListener.NONE;
    private GlobalSpec global;
    private SinkRetention retention;
    private TlsSinkService tls;
    private TlsBinding tlsBinding;
    private StdinSinkService stdin;
    private final Map<ConnectSpec, ReversePullService> dials = new LinkedHashMap<>();
    private boolean started;

    PeerServices(Context cx) {
        this.cx = cx;
        this.dispatcher = PeerDispatcher.live(() -> sink, () -> pulledJobs ? cx.pulled() : null, cx.parked(),
                cx.config(), cx.log(), cx.timer(), () -> mirror);
    }

    @Override
    public String name() {
        return "peer services";
    }

    /** Builds and starts everything the current configuration describes; on a failure, stops what it started. */
    @Override
    public synchronized void start() throws IOException {
        if (started) {
            return;
        }
        SluiceConfig config = cx.config().get();
        global = config.global();
        pulledJobs = hasPulledJobs(config);
        String serves = serves(global.sink() != null, pulledJobs, config);
        started = true;
        try {
            if (global.sink() != null) {
                sink = newSink(global.sink());
                startRetention(global.sink());
            }
            if (global.mirror() != null) {
                mirror = mirrorReceiver(global.mirror(), cx.clock(), cx.sinkIo());
            }
            if (global.listenTls() != null) {
                tlsBinding = TlsBinding.of(global.listenTls());
                tls = TlsSinkService.of(global, dispatcher::serve, serves);
                startService(tls);
            }
            if (global.listenStdin() != null) {
                stdin = StdinSinkService.of(global.listenStdin(), cx.runtime(), dispatcher::serve, serves);
                startService(stdin);
            }
            for (ConnectSpec spec : reverseDials(config)) {
                startDial(spec);
            }
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    /**
     * Brings the peer side in line with {@code next} (already validated). First what can fail (binding a TLS
     * listener anew, a stdinserver listener's new sockets); if any fails, what was already changed is put back and
     * the exception says why. Then the rest, which cannot fail: client maps, the sink's policy, repository and
     * retention, the mirror receiver's targets, the reverse-pull dials.
     *
     * @return one line for each thing that changed
     * @throws IOException when a listener cannot listen as {@code next} says; nothing has changed then
     */
    synchronized List<String> reload(SluiceConfig next) throws IOException {
        if (!started) {
            return List.of();
        }
        GlobalSpec g = next.global();
        boolean nextPulled = hasPulledJobs(next);
        String serves = serves(g.sink() != null, nextPulled, next);
        List<String> changes = new ArrayList<>();
        List<Runnable> undo = new ArrayList<>();
        boolean tlsClientsChanged = g.listenTls() != null && global.listenTls() != null
                && !g.listenTls().clients().equals(global.listenTls().clients());
        boolean tlsReplaced;
        try {
            tlsReplaced = reloadTls(g, serves, changes, undo);
            reloadStdin(g, serves, changes, undo);
        } catch (IOException | RuntimeException e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                undo.get(i).run();
            }
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        if (tls != null) {
            if (tlsClientsChanged && !tlsReplaced) {
                changes.add(tls.name() + ": client certificate names updated");
            }
            tls.clients(TlsSinkService.clientMap(g.listenTls()));
            tls.serves(serves);
        }
        if (stdin != null) {
            stdin.serves(serves);
        }
        reloadSink(g.sink(), changes);
        reloadMirror(g.mirror(), changes);
        reloadDials(reverseDials(next), changes);
        pulledJobs = nextPulled;
        global = g;
        return changes;
    }

    /** Binds the TLS listener anew, starts or stops it when its binding changed; true when it did. */
    private boolean reloadTls(GlobalSpec g, String serves, List<String> changes, List<Runnable> undo)
            throws IOException {
        TlsBinding binding = g.listenTls() == null ? null : TlsBinding.of(g.listenTls());
        if (Objects.equals(binding, tlsBinding)) {
            return false;
        }
        TlsSinkService old = tls;
        TlsBinding oldBinding = tlsBinding;
        if (old != null) {
            stopService(old);
        }
        TlsSinkService fresh = g.listenTls() == null ? null : TlsSinkService.of(g, dispatcher::serve, serves);
        if (fresh != null) {
            try {
                startService(fresh);
            } catch (IOException | RuntimeException e) {
                restart(old);
                throw e;
            }
        }
        tls = fresh;
        tlsBinding = binding;
        undo.add(() -> {
            if (fresh != null) {
                stopService(fresh);
            }
            restart(old);
            tls = old;
            tlsBinding = oldBinding;
        });
        if (fresh == null) {
            changes.add(old.name() + ": stopped");
        } else {
            changes.add(fresh.name() + (old == null ? ": started" : ": bound anew"));
        }
        return true;
    }

    private void reloadStdin(GlobalSpec g, String serves, List<String> changes, List<Runnable> undo)
            throws IOException {
        ListenStdinSpec was = global.listenStdin();
        ListenStdinSpec now = g.listenStdin();
        if (Objects.equals(was, now)) {
            return;
        }
        if (stdin == null) {
            StdinSinkService fresh = StdinSinkService.of(now, cx.runtime(), dispatcher::serve, serves);
            startService(fresh);
            stdin = fresh;
            undo.add(() -> {
                stopService(fresh);
                stdin = null;
            });
            changes.add(fresh.name() + ": started");
        } else if (now == null) {
            StdinSinkService old = stdin;
            stopService(old);
            stdin = null;
            undo.add(() -> {
                restart(old);
                stdin = old;
            });
            changes.add(old.name() + ": stopped");
        } else {
            stdin.update(now);
            undo.add(() -> {
                try {
                    stdin.update(was);
                } catch (IOException e) {
                    cx.log().error("service.restore", "service", stdin.name(), "error", e.getMessage());
                }
            });
            changes.add(stdin.name() + ": identities now " + String.join(", ", new java.util.TreeSet<>(now.clients())));
        }
    }

    private void reloadSink(SinkSpec now, List<String> changes) {
        SinkSpec was = global.sink();
        if (Objects.equals(was, now)) {
            return;
        }
        if (was != null && now != null && was.repository().equals(now.repository())) {
            if (!was.clients().equals(now.clients()) || was.snapshotsPerHour() != now.snapshotsPerHour()) {
                sink.setPolicy(TlsSinkService.sinkPolicy(now));
                changes.add("sink " + now.repository() + ": clients and rate limit updated");
            }
        } else {
            sink = now == null ? null : newSink(now);
            changes.add(now == null ? "sink " + was.repository() + ": no longer served"
                    : "sink " + now.repository() + ": served" + (was == null ? "" : " instead of " + was.repository()));
        }
        boolean retentionSame = was != null && now != null && was.repository().equals(now.repository())
                && was.retention().equals(now.retention()) && was.pruneSchedule().equals(now.pruneSchedule());
        if (!retentionSame) {
            if (was != null && now != null && was.repository().equals(now.repository())) {
                changes.add("sink " + now.repository() + ": retention replaced");
            }
            if (retention != null) {
                stopService(retention);
                retention = null;
                sessionEnded = SinkServer.SessionListener.NONE;
            }
            if (now != null) {
                startRetention(now);
            }
        }
    }

    private void reloadMirror(MirrorReceiverSpec now, List<String> changes) {
        MirrorReceiverSpec was = global.mirror();
        if (Objects.equals(was, now)) {
            return;
        }
        if (now == null) {
            mirror = null;
            changes.add("mirror receiver: no longer served");
        } else if (mirror == null) {
            mirror = mirrorReceiver(now, cx.clock(), cx.sinkIo());
            changes.add("mirror receiver: served");
        } else {
            mirror.setPolicy(mirrorPolicy(now));
            changes.add("mirror receiver: clients and targets updated");
        }
    }

    private void reloadDials(List<ConnectSpec> now, List<String> changes) {
        for (ConnectSpec spec : List.copyOf(dials.keySet())) {
            if (!now.contains(spec)) {
                ReversePullService gone = dials.remove(spec);
                gone.retire();
                cx.log().info("service.stop", "service", gone.name());
                changes.add(gone.name() + ": stopped (a pull in progress finishes)");
            }
        }
        for (ConnectSpec spec : now) {
            if (!dials.containsKey(spec)) {
                changes.add(startDial(spec).name() + ": started");
            }
        }
    }

    private SinkServer newSink(SinkSpec spec) {
        return TlsSinkService.sinkServer(spec, cx.clock(), cx.sinkIo(),
                (peer, job, committed) -> sessionEnded.ended(peer, job, committed));
    }

    private void startRetention(SinkSpec spec) {
        if (spec.retention().isEmpty()) {
            return;
        }
        retention = SinkRetention.of(spec, cx.clock(), cx.timer(), cx.jobThreads(), cx.pruner(), new Random());
        retention.start();
        sessionEnded = retention.listener();
        cx.log().info("service.start", "service", retention.name());
    }

    private ReversePullService startDial(ConnectSpec spec) {
        ReversePullService dial = new ReversePullService(spec, Connector.of(spec), cx.pulled(), cx.log(),
                cx.dials(), cx.timer(), Keepalive.DEFAULT);
        dial.start();
        dials.put(spec, dial);
        cx.log().info("service.start", "service", dial.name());
        return dial;
    }

    private void startService(Service s) throws IOException {
        s.start();
        cx.log().info("service.start", "service", s.name());
    }

    /** Starts a service again that a failed reload had stopped (logged when it cannot). */
    private void restart(Service old) {
        if (old == null) {
            return;
        }
        try {
            startService(old);
        } catch (IOException | RuntimeException e) {
            cx.log().error("service.restore", "service", old.name(), "error", e.getMessage());
        }
    }

    private void stopService(Service s) {
        try {
            s.stop();
            cx.log().info("service.stop", "service", s.name());
        } catch (RuntimeException e) {
            cx.log().error("service.stop", "service", s.name(), "error", e.toString());
        }
    }

    /** Stops the dials, the listeners and the retention (in that order); accepted links go on. */
    @Override
    public synchronized void stop() {
        List<ReversePullService> running = new ArrayList<>(dials.values());
        for (int i = running.size() - 1; i >= 0; i--) {
            stopService(running.get(i));
        }
        dials.clear();
        if (stdin != null) {
            stopService(stdin);
            stdin = null;
        }
        if (tls != null) {
            stopService(tls);
            tls = null;
        }
        if (retention != null) {
            stopService(retention);
            retention = null;
        }
        started = false;
    }

    /** What this daemon's listeners serve, for their names: {@code push}, {@code pull}, {@code reverse pull}. */
    static String serves(boolean sink, boolean pulledJobs, SluiceConfig config) {
        List<String> what = new ArrayList<>();
        if (sink) {
            what.add("push");
        }
        if (pulledJobs) {
            what.add("pull");
        }
        if (config.jobs().stream().anyMatch(j -> j.source() != null && j.source().reverse() != null)) {
            what.add("reverse pull");
        }
        if (config.global().mirror() != null) {
            what.add("mirror");
        }
        return what.isEmpty() ? "nothing" : String.join(", ", what);
    }

    /** The distinct connect specs of the reverse-pull jobs (backup and mirror): one dial loop each. */
    static List<ConnectSpec> reverseDials(SluiceConfig config) {
        return config.jobs().stream().map(j -> j.repository() instanceof ReversePullRepositorySpec r ? r.connect()
                : j.repository() instanceof MirrorJobSpec m ? m.reversePull() : null)
                .filter(Objects::nonNull).distinct().toList();
    }

    /** The receiver {@code global.mirror} describes, writing through the safe mirror target. */
    static MirrorReceiver mirrorReceiver(MirrorReceiverSpec spec, Clock clock, Scheduler io) {
        return new MirrorReceiver(mirrorPolicy(spec), (dir, options) -> MirrorTarget.open(dir, options, clock),
                MirrorLimits.DEFAULT, io, CacheRoot.of(System.getenv()));
    }

    /** Which targets each identity {@code global.mirror.clients} lists may mirror into. */
    static MirrorPolicy mirrorPolicy(MirrorReceiverSpec spec) {
        Map<PeerIdentity, Map<String, Path>> targets = new HashMap<>();
        spec.clients().forEach((id, byName) -> targets.put(new PeerIdentity(id), byName));
        return new MirrorPolicy(targets);
    }

    /** True when a sink may pull one of the jobs of {@code config} (a pull repository, or a mirror's pulled_by). */
    static boolean hasPulledJobs(SluiceConfig config) {
        return config.jobs().stream().anyMatch(j -> j.repository() instanceof PullRepositorySpec
                || j.repository() instanceof MirrorJobSpec m && !m.pulledBy().isEmpty());
    }
}
