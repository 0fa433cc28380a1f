package dev.sluice.engine.daemon;

import dev.sluice.engine.config.GlobalSpec;
import dev.sluice.engine.config.ListenTlsSpec;
import dev.sluice.engine.config.SinkSpec;
import dev.sluice.engine.protocol.SinkPolicy;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.engine.retention.SnapshotRateLimit;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.tls.TlsEngine;
import dev.sluice.transport.tls.TlsServer;
import dev.sluice.transport.tls.TlsServerSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A daemon's mutual-TLS listener as a service: every accepted link (its identity from the client certificate map)
 * is served by a {@link SinkServer} session, or handed to a {@link PeerDispatcher} that serves pushes, pulls and
 * reverse-pull links; its name says which of them it serves.
 */
public final class TlsSinkService implements Service {
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

    private final TlsServerSpec spec;
    private final Function<Link, Mono<Void>> handler;
    private volatile String serves;
    /** Certificate name to identity, looked up when a client's handshake completes; a reload may replace it. */
    private volatile Map<String, PeerIdentity> clients;
    private TlsServer server;

    public TlsSinkService(TlsServerSpec spec, SinkServer sink) {
        this(spec, link -> sink.serve(link).then());
    }

    /** A listener whose accepted links go to {@code handler} (a {@link PeerDispatcher} looks at the first frame). */
    public TlsSinkService(TlsServerSpec spec, Function<Link, Mono<Void>> handler) {
        this(spec, handler, "push");
    }

    /**
     * A listener whose accepted links go to {@code handler}.
     *
     * @param serves what it serves, for its name: e.g. {@code push}, {@code pull, reverse pull}
     */
    public TlsSinkService(TlsServerSpec spec, Function<Link, Mono<Void>> handler, String serves) {
        this.spec = spec;
        this.handler = handler;
        this.serves = serves;
        this.clients = spec.clients();
    }

    /**
     * The listener {@code global.listen.tls} and {@code global.sink} describe, serving the sink repository with
     * each client identity's jobs and the snapshot rate limit.
     *
     * @throws IllegalArgumentException when the configuration sets no sink
     */
    public static TlsSinkService of(GlobalSpec global, Clock clock, Scheduler io) {
        if (global.sink() == null) {
            throw new IllegalArgumentException("the configuration sets no global.sink");
        }
        return of(global, sinkServer(global.sink(), clock, io));
    }

    /**
     * The listener {@code global.listen.tls} describes, serving its links with {@code sink} (shared with the
     * daemon's other sink listeners).
     *
     * @throws IllegalArgumentException when the configuration sets no global.listen.tls
     */
    public static TlsSinkService of(GlobalSpec global, SinkServer sink) {
        return of(global, link -> sink.serve(link).then());
    }

    /**
     * The listener {@code global.listen.tls} describes, handing its links to {@code handler}.
     *
     * @throws IllegalArgumentException when the configuration sets no global.listen.tls
     */
    public static TlsSinkService of(GlobalSpec global, Function<Link, Mono<Void>> handler) {
        return of(global, handler, "push");
    }

    /**
     * The listener {@code global.listen.tls} describes, handing its links to {@code handler}, named for what it
     * {@code serves} (see {@link #TlsSinkService(TlsServerSpec, Function, String)}).
     *
     * @throws IllegalArgumentException when the configuration sets no global.listen.tls
     */
    public static TlsSinkService of(GlobalSpec global, Function<Link, Mono<Void>> handler, String serves) {
        ListenTlsSpec listen = global.listenTls();
        if (listen == null) {
            throw new IllegalArgumentException("the configuration sets no global.listen.tls");
        }
        TlsServerSpec spec = new TlsServerSpec(listen.host(), listen.port(), listen.ca(), listen.cert(), listen.key(),
                clientMap(listen), LinkSpec.DEFAULT, TlsEngine.preferred());
        return new TlsSinkService(spec, handler, serves);
    }

    /** The identity of each client certificate name {@code global.listen.tls.clients} lists. */
    static Map<String, PeerIdentity> clientMap(ListenTlsSpec listen) {
        Map<String, PeerIdentity> clients = new HashMap<>();
        listen.clients().forEach((certificate, identity) -> clients.put(certificate, new PeerIdentity(identity)));
        return Map.copyOf(clients);
    }

    /**
     * Admits the client certificate names of {@code next} from now on (a reload): a client whose name is no longer
     * listed is refused at its next connection; connections already accepted go on.
     */
    public void clients(Map<String, PeerIdentity> next) {
        this.clients = Map.copyOf(next);
    }

    /** Renames the service for what it serves now (see {@link #TlsSinkService(TlsServerSpec, Function, String)}). */
    public void serves(String what) {
        this.serves = what;
    }

    /**
     * The one {@link SinkServer} a daemon's sink listeners share: the sink repository, each client identity's jobs
     * and the snapshot rate limit (counted across transports).
     */
    public static SinkServer sinkServer(SinkSpec sink, Clock clock, Scheduler io) {
        return sinkServer(sink, clock, io, SinkServer.SessionListener.NONE);
    }

    /** As {@link #sinkServer(SinkSpec, Clock, Scheduler)}, telling {@code ended} (the sink's retention) of each session's end. */
    public static SinkServer sinkServer(SinkSpec sink, Clock clock, Scheduler io, SinkServer.SessionListener ended) {
        return new SinkServer(sink.repository(), sinkPolicy(sink), clock, io, ended);
    }

    /** Which jobs each identity {@code global.sink.clients} lists may push, and the snapshot rate limit. */
    static SinkPolicy sinkPolicy(SinkSpec sink) {
        Map<PeerIdentity, Set<String>> jobs = new HashMap<>();
        sink.clients().forEach((identity, names) -> jobs.put(new PeerIdentity(identity), names));
        return new SinkPolicy(jobs, new SnapshotRateLimit(sink.snapshotsPerHour()));
    }

    @Override
    public String name() {
        return "tls listener " + spec.host() + ":" + spec.port() + " for " + serves;
    }

    @Override
    public synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        try {
            server = TlsServer.start(spec, name -> clients.get(name), handler).block(BIND_TIMEOUT);
        } catch (RuntimeException e) {
            throw new IOException("cannot listen for sources on " + spec.host() + ":" + spec.port() + ": "
                    + e.getMessage(), e);
        }
        if (server == null) {
            throw new IOException("the TLS listener on " + spec.host() + ":" + spec.port() + " did not start");
        }
    }

    /** The bound address (with the real port when 0 was configured); only after {@link #start()}. */
    public synchronized InetSocketAddress address() {
        if (server == null) {
            throw new IllegalStateException(name() + " is not started");
        }
        return server.address();
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
