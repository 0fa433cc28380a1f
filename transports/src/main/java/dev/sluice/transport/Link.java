package dev.sluice.transport;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An authenticated, framed, backpressured, bidirectional message link to one peer. The
 * transport knows nothing of the messages: the engine gives frame types their meaning.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #peer()} comes from this side's configuration (a certificate-name map, a
 *       socket's directory), never from anything the peer sent.</li>
 *   <li>{@link #receive()} may be subscribed once. Bytes are read from the peer only while
 *       the subscriber has outstanding demand, so a slow consumer slows the peer's sender;
 *       the subscriber owns (and must release) every frame it gets. It completes when the
 *       link closes normally and fails with {@link LinkClosedException} otherwise.
 *       Cancelling it discards (releases) later frames.</li>
 *   <li>{@link #send} may be called any number of times, also concurrently; frames of one
 *       call keep their order, frames of concurrent calls interleave frame by frame. It
 *       requests frames only while the link can take them (socket writability, the peer's
 *       demand), takes ownership of each frame, and completes once the last frame has been
 *       handed to the connection. A frame of type 0 or longer than {@link #maxFrameLength()}
 *       fails the call; the link stays open.</li>
 *   <li>{@link #close} sends the reason to the peer (best effort) after frames already
 *       written, then ends the connection; {@link #onClose()} tells the reason either way.</li>
 * </ul>
 *
 * <p>For request/response with pipelining, the engine tags each request with its own id
 * in the payload, keeps one long-running {@code send} fed from a bounded queue of
 * outgoing frames, and routes {@code receive()} by id; the link preserves order within one
 * {@code send} call, which is all such a protocol needs.
 */
public interface Link {

    /** Who is on the other end, from this side's configuration. */
    PeerIdentity peer();

    /** The largest payload the peer accepts, as it announced in the handshake. */
    int maxFrameLength();

    /** The frames the peer sends, one subscriber, paced by its demand. */
    Flux<Frame> receive();

    /** Sends the frames in order; completes when the last one is written. */
    Mono<Void> send(Publisher<Frame> frames);

    /** Completes with the reason when the link has ended (never fails). */
    Mono<CloseReason> onClose();

    /** Ends the link, telling the peer why; later calls have no effect. */
    void close(CloseReason reason);

    /** Whether the link has ended or is ending. */
    boolean isClosed();
}
