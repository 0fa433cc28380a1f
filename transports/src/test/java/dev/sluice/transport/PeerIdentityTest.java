package dev.sluice.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PeerIdentityTest {

    @Test
    void acceptsHostLikeNames() {
        assertEquals("db-1.example_org", new PeerIdentity("db-1.example_org").name());
        new PeerIdentity("a".repeat(64));
    }

    @Test
    void refusesDangerousNames() {
        for (String bad : new String[] {"", "..", ".", "a/b", "../x", "-a", "a b", "a\nb", "a\u0000", "é",
                "a".repeat(65), "_x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PeerIdentity(bad),
                    bad);
            assertFalse(e.getMessage().contains("\n"), "message must stay on one line: " + e.getMessage());
            assertFalse(PeerIdentity.isValid(bad));
        }
        assertThrows(IllegalArgumentException.class, () -> new PeerIdentity(null));
    }
}
