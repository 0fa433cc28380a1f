package dev.sluice.engine.daemon;

import dev.sluice.engine.config.ListenStdinSpec;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.transport.Link;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.stdinserver.StdinServer;
import dev.sluice.transport.stdinserver.StdinServerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The sink's stdinserver sockets as a daemon service: {@code RUNTIME_DIR/stdinserver/ID.sock} per configured
 * identity, each link (reached by {@code sluice stdinserver ID} as an ssh forced command) served by a
 * {@link SinkServer} session.
 */
public final class StdinSinkService implements Service {
    /** The subdirectory of the runtime directory that holds the sockets ({@code sluice stdinserver} looks there). */
    public static final String SOCKET_DIRECTORY = "stdinserver";

    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private final StdinServerSpec spec;
    private final Function<Link, Mono<Void>> handler;
    private StdinServer server;

    public StdinSinkService(StdinServerSpec spec, SinkServer sink) {
        this(spec, link -> sink.serve(link).then());
    }

    /** Serves each accepted link with {@code handler} (a {@link FirstFrameDispatch} when mirrors are received too). */
    public StdinSinkService(StdinServerSpec spec, Function<Link, Mono<Void>> handler) {
        this.spec = spec;
        this.handler = handler;
    }

    /**
     * The sockets {@code global.listen.stdinserver} describes, in {@code runtimeDir/stdinserver}, served by
     * {@code sink}.
     */
    public static StdinSinkService of(ListenStdinSpec listen, Path runtimeDir, SinkServer sink) {
        return of(listen, runtimeDir, new FirstFrameDispatch(sink, null));
    }

    /** The sockets {@code global.listen.stdinserver} describes, served by {@code handler}. */
    public static StdinSinkService of(ListenStdinSpec listen, Path runtimeDir, FirstFrameDispatch handler) {
        Set<PeerIdentity> clients = listen.clients().stream().map(PeerIdentity::new).collect(Collectors.toSet());
        return new StdinSinkService(new StdinServerSpec(runtimeDir.resolve(SOCKET_DIRECTORY), clients,
                LinkSpec.DEFAULT), handler);
    }

    @Override
    public String name() {
        return "sink stdinserver " + spec.runtimeDir();
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

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
