package dev.sluice.transport.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/** Which TLS implementation runs the handshake and record layer. */
public enum TlsEngine {
    /** BoringSSL through netty-tcnative (native; the faster one, see docs/transports.md). */
    OPENSSL,
    /** The JDK's own SSLEngine. */
    JDK;

    /** OPENSSL when its native library loads on this machine and supports TLS 1.3, else JDK. */
    public static TlsEngine preferred() {
        return OpenSsl.isAvailable() && OpenSsl.isCipherSuiteAvailable("TLS_AES_128_GCM_SHA256") ? OPENSSL : JDK;
    }

    /** Why OPENSSL is unavailable here, or null when it is available. */
    public static String openSslUnavailability() {
        if (!OpenSsl.isAvailable()) {
            Throwable t = OpenSsl.unavailabilityCause();
            return "native OpenSSL/BoringSSL did not load: " + (t == null ? "unknown reason" : t.getMessage());
        }
        return OpenSsl.isCipherSuiteAvailable("TLS_AES_128_GCM_SHA256") ? null : "native OpenSSL/BoringSSL lacks TLS 1.3";
    }

    SslProvider provider() {
        if (this == OPENSSL && openSslUnavailability() != null) {
            throw new IllegalStateException("TLS engine OPENSSL was requested but " + openSslUnavailability());
        }
        return this == OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK;
    }
}
