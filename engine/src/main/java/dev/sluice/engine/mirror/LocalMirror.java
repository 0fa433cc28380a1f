package dev.sluice.engine.mirror;

import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import dev.sluice.transport.Link;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A mirror run inside one process: sender and receiver over an in-process link pair, so a local mirror takes exactly
 * the path (checks, limits, delta) a remote one takes.
 */
public final class LocalMirror {
    /** The identity both ends of a local run see. */
    public static final PeerIdentity LOCAL = new PeerIdentity("local");

    private static final Duration RECEIVER_END = Duration.ofSeconds(30);

    private final TargetFactory factory;
    private final MirrorLimits limits;
    private final Scheduler io;
    private final Optional<Path> cacheRoot;

    /** A local run whose receiver keeps no basis cache. */
    public LocalMirror(TargetFactory factory, MirrorLimits limits, Scheduler io) {
        this(factory, limits, io, Optional.empty());
    }

    /** A local run whose receiver keeps its basis cache under {@code cacheRoot} (see {@link BasisCache}). */
    public LocalMirror(TargetFactory factory, MirrorLimits limits, Scheduler io, Optional<Path> cacheRoot) {
        this.factory = factory;
        this.limits = limits;
        this.io = io;
        this.cacheRoot = cacheRoot;
    }

    /** Mirrors {@code request} into {@code targetDirectory}; blocks until both ends are done. */
    public MirrorResult run(MirrorRequest request, Path targetDirectory) throws IOException {
        return run(request, targetDirectory, link -> { });
    }

    /**
     * As {@link #run(MirrorRequest, Path)}; {@code senderLink} gets the sender's end of the link before the run
     * starts (closing it interrupts the run: the receiver aborts and keeps its previous state).
     */
    public MirrorResult run(MirrorRequest request, Path targetDirectory, Consumer<Link> senderLink)
            throws IOException {
        return run(request, targetDirectory, senderLink, new MirrorSender());
    }

    /** As above, sending with {@code sender} (which may keep an xattr journal of the source). */
    public MirrorResult run(MirrorRequest request, Path targetDirectory, Consumer<Link> senderLink,
            MirrorSender sender) throws IOException {
        LocalLinks.Pair pair = LocalLinks.pair(LOCAL, LOCAL);
        senderLink.accept(pair.first());
        MirrorReceiver receiver = new MirrorReceiver(new MirrorPolicy(Map.of(LOCAL,
                Map.of(request.target(), targetDirectory))), factory, limits, io, cacheRoot);
        Mono<CloseReason> served = receiver.serve(pair.second()).cache();
        served.subscribe(r -> { }, e -> { });
        try {
            return sender.run(pair.first(), request);
        } finally {
            served.onErrorResume(e -> Mono.empty()).block(RECEIVER_END);
        }
    }
}
