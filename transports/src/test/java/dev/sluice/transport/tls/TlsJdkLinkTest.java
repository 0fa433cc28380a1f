package dev.sluice.transport.tls;

import org.junit.jupiter.api.BeforeAll;

/** The same link contract with the JDK's TLS engine (the fallback when BoringSSL is unavailable). */
class TlsJdkLinkTest extends TlsLinkTest {

    @BeforeAll
    static void startServer() throws Exception {
        start(TlsEngine.JDK);
    }
}
