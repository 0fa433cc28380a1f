package dev.sluice.transport.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.transport.LinkContract;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import org.junit.jupiter.api.Test;

class LocalLinksTest extends LinkContract {

    @Override
    protected Ends connect() {
        LocalLinks.Pair p = LocalLinks.pair(new PeerIdentity("sink"), new PeerIdentity("source"),
                LinkSpec.DEFAULT.withMaxFrameLength(64 * 1024), 8);
        return new Ends(p.first(), p.second());
    }

    @Override
    protected int slack() {
        return 8;
    }

    @Test
    void eachEndSeesTheConfiguredPeer() {
        Ends e = connect();
        assertEquals("sink", e.client().peer().name());
        assertEquals("source", e.server().peer().name());
        assertEquals(64 * 1024, e.client().maxFrameLength());
    }
}
