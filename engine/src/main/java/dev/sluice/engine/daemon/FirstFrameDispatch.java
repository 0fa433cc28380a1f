package dev.sluice.engine.daemon;

import dev.sluice.engine.config.MirrorReceiverSpec;
import dev.sluice.engine.mirror.MirrorPolicy;
import dev.sluice.engine.mirror.MirrorReceiver;
import dev.sluice.engine.mirror.dest.MirrorLimits;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Serves each accepted link by the protocol its first frame belongs to: a mirror OPEN goes to the
 * {@link MirrorReceiver}, anything else to the {@link SinkServer}; either may be absent (not configured), and a link
 * for an absent one is closed with a reason.
 */
public final class FirstFrameDispatch implements Function<Link, Mono<Void>> {
    private final SinkServer sink;
    private final MirrorReceiver mirror;

    /** @param sink the backup sink, or null; @param mirror the mirror receiver, or null */
    public FirstFrameDispatch(SinkServer sink, MirrorReceiver mirror) {
        if (sink == null && mirror == null) {
            throw new IllegalArgumentException("a listener needs a sink or a mirror receiver to serve");
        }
        this.sink = sink;
        this.mirror = mirror;
    }

    /** The receiver {@code global.mirror} describes, writing through the safe mirror target. */
    public static MirrorReceiver mirrorReceiver(MirrorReceiverSpec spec, Clock clock, Scheduler io) {
        Map<PeerIdentity, Map<String, java.nio.file.Path>> targets = new HashMap<>();
        spec.clients().forEach((id, byName) -> targets.put(new PeerIdentity(id), byName));
        return new MirrorReceiver(new MirrorPolicy(targets), (dir, options) -> MirrorTarget.open(dir, options, clock),
                MirrorLimits.DEFAULT, io);
    }

    @Override
    public Mono<Void> apply(Link link) {
        return link.receive().switchOnFirst((first, frames) -> {
            if (!first.hasValue()) {
                return frames;
            }
            Link rest = new Replayed(link, frames);
            boolean mirrorOpen = MirrorReceiver.isMirrorOpen(first.get());
            if (mirrorOpen && mirror != null) {
                return mirror.serve(rest).thenMany(Flux.<Frame>empty());
            }
            if (!mirrorOpen && sink != null) {
                return sink.serve(rest).thenMany(Flux.<Frame>empty());
            }
            String what = mirrorOpen ? "mirror runs (no global.mirror)" : "backups (no global.sink)";
            return frames.doOnNext(Frame::release).take(1).then(Mono.fromRunnable(() -> link.close(
                    CloseReason.of(CloseReason.Code.APPLICATION_ERROR, "this daemon does not receive " + what))))
                    .thenMany(Flux.<Frame>empty());
        }).then();
    }

    /** The accepted link with its frames, the first one included, coming from the dispatcher. */
    private record Replayed(Link link, Flux<Frame> frames) implements Link {
        @Override
        public PeerIdentity peer() {
            return link.peer();
        }

        @Override
        public int maxFrameLength() {
            return link.maxFrameLength();
        }

        @Override
        public Flux<Frame> receive() {
            return frames;
        }

        @Override
        public Mono<Void> send(Publisher<Frame> out) {
            return link.send(out);
        }

        @Override
        public Mono<CloseReason> onClose() {
            return link.onClose();
        }

        @Override
        public void close(CloseReason reason) {
            link.close(reason);
        }

        @Override
        public boolean isClosed() {
            return link.isClosed();
        }
    }
}
