package dev.sluice.engine.daemon;

import dev.sluice.engine.config.ListenStdinSpec;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.stdinserver.StdinServer;
import dev.sluice.transport.stdinserver.StdinServerSpec;
import java.io.IOException;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A daemon's stdinserver sockets as a service: {@code RUNTIME_DIR/stdinserver/ID.sock} per configured
 * identity, each link (reached by {@code sluice stdinserver ID} as an ssh forced command) served by a
 * {@link SinkServer} session.
 */
public final class StdinSinkService implements Service {
    /** The subdirectory of the runtime directory that holds the sockets ({@code sluice stdinserver} looks there). */
    public static final String SOCKET_DIRECTORY = "stdinserver";

    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    /** The sockets' directory, identities and link limits; a reload replaces the identities. */
    private StdinServerSpec spec;
    private final Function<Link, Mono<Void>> handler;
    private volatile String serves;
    private StdinServer server;

    public StdinSinkService(StdinServerSpec spec, SinkServer sink) {
        this(spec, link -> sink.serve(link).then());
    }

    /** A listener whose accepted links go to {@code handler} (a {@link PeerDispatcher} looks at the first frame). */
    public StdinSinkService(StdinServerSpec spec, Function<Link, Mono<Void>> handler) {
        this(spec, handler, "push");
    }

    /**
     * Sockets whose accepted links go to {@code handler}.
     *
     * @param serves what they serve, for the service's name: e.g. {@code push}, {@code pull, reverse pull}
     */
    public StdinSinkService(StdinServerSpec spec, Function<Link, Mono<Void>> handler, String serves) {
        this.spec = spec;
        this.handler = handler;
        this.serves = serves;
    }

    /**
     * The sockets {@code global.listen.stdinserver} describes, in {@code runtimeDir/stdinserver}, served by
     * {@code sink}.
     */
    public static StdinSinkService of(ListenStdinSpec listen, Path runtimeDir, SinkServer sink) {
        return of(listen, runtimeDir, link -> sink.serve(link).then());
    }

    /** The sockets {@code global.listen.stdinserver} describes, handing their links to {@code handler}. */
    public static StdinSinkService of(ListenStdinSpec listen, Path runtimeDir, Function<Link, Mono<Void>> handler) {
        return of(listen, runtimeDir, handler, "push");
    }

    /** The sockets {@code global.listen.stdinserver} describes, handing their links to {@code handler}. */
    public static StdinSinkService of(ListenStdinSpec listen, Path runtimeDir, Function<Link, Mono<Void>> handler,
            String serves) {
        Set<PeerIdentity> clients = listen.clients().stream().map(PeerIdentity::new).collect(Collectors.toSet());
        return new StdinSinkService(new StdinServerSpec(runtimeDir.resolve(SOCKET_DIRECTORY), clients,
                LinkSpec.DEFAULT), handler, serves);
    }

    @Override
    public String name() {
        return "stdinserver listener " + spec.runtimeDir() + " for " + serves;
    }

    /** Creates the socket directory (mode 0700) when missing, then binds one socket per identity. */
    @Override
    public synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        Path dir = spec.runtimeDir();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
                // The umask can only have narrowed the mode; make it exactly 0700.
                Files.setPosixFilePermissions(dir, PRIVATE);
            } catch (IOException e) {
                throw new IOException("cannot create the stdinserver socket directory " + dir + ": " + e, e);
            }
        }
        // An existing directory is checked by StdinServer.start: it must be private to this user.
        server = StdinServer.start(spec, handler);
    }

    /**
     * Listens for the identities of {@code listen} from now on (a reload): sockets and FIFOs of new identities are
     * made, those of identities no longer listed removed; sessions in progress go on.
     *
     * @throws IOException when a new identity's socket cannot be bound (then nothing changed)
     */
    public synchronized void update(ListenStdinSpec listen) throws IOException {
        Set<PeerIdentity> next = listen.clients().stream().map(PeerIdentity::new).collect(Collectors.toSet());
        if (server != null) {
            server.update(next);
        }
        spec = new StdinServerSpec(spec.runtimeDir(), next, spec.link());
    }

    /** Renames the service for what it serves now (see {@link #StdinSinkService(StdinServerSpec, Function, String)}). */
    public void serves(String what) {
        this.serves = what;
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
