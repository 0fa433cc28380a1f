package dev.sluice.transport.local;

import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;

/** Makes in-process pairs of links (no sockets): the embedded default and tests. */
public final class LocalLinks {

    /** Frames each direction holds at most before senders wait. */
    public static final int DEFAULT_CAPACITY = 16;

    /** Two connected links. */
    public record Pair(Link first, Link second) {
    }

    private LocalLinks() {
    }

    /**
     * A connected pair: {@code first} talks to {@code second}. Each direction holds at most
     * {@code capacity} frames; a frame longer than {@code spec.maxFrameLength()} is refused.
     *
     * @param firstSees  the identity {@code first} reports for its peer
     * @param secondSees the identity {@code second} reports for its peer
     */
    public static Pair pair(PeerIdentity firstSees, PeerIdentity secondSees, LinkSpec spec, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("local link capacity " + capacity + " must be at least 1 frame");
        }
        LocalPipe toSecond = new LocalPipe(capacity, spec.maxFrameLength(), "'" + firstSees + "'");
        LocalPipe toFirst = new LocalPipe(capacity, spec.maxFrameLength(), "'" + secondSees + "'");
        Object lock = new Object();
        LocalLink first = new LocalLink(firstSees, toFirst, toSecond, lock);
        LocalLink second = new LocalLink(secondSees, toSecond, toFirst, lock);
        first.connect(second);
        second.connect(first);
        return new Pair(first, second);
    }

    /** A pair with the default limits and capacity. */
    public static Pair pair(PeerIdentity firstSees, PeerIdentity secondSees) {
        return pair(firstSees, secondSees, LinkSpec.DEFAULT, DEFAULT_CAPACITY);
    }
}
