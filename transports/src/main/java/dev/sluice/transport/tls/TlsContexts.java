package dev.sluice.transport.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** Builds the TLS 1.3, mutual-authentication contexts for server and client from PEM files. */
final class TlsContexts {
    /**
     * The type of the in-memory key store through which Netty hands the key to a key manager. Never written anywhere,
     * so its encryption protects nothing; PKCS12, the JDK's default, runs 10,000 rounds of PBKDF2 to store the key and
     * again to read it, about 0.15 s of a new process's start while the JIT has not compiled SHA-256 yet. JKS
     * obscures the key with one pass (docs/decisions.md "TLS keys go through a JKS key store in memory").
     */
    static final String KEY_STORE_TYPE = "JKS";

    private TlsContexts() {
    }

    static SslContext server(TlsServerSpec spec) {
        List<X509Certificate> chain = PemFiles.certificates(spec.certificate());
        PrivateKey key = PemFiles.privateKey(spec.privateKey());
        try {
            return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                    .keyStoreType(KEY_STORE_TYPE)
                    .sslProvider(provider(spec.engine(), key))
                    .protocols("TLSv1.3")
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(trustManager(spec.caBundle(), null))
                    .build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS with certificate " + spec.certificate() + " and key "
                    + spec.privateKey() + ": " + e.getMessage(), e);
        }
    }

    static SslContext client(TlsClientSpec spec) {
        List<X509Certificate> chain = PemFiles.certificates(spec.certificate());
        PrivateKey key = PemFiles.privateKey(spec.privateKey());
        try {
            return SslContextBuilder.forClient()
                    .keyManager(key, chain.toArray(X509Certificate[]::new))
                    .keyStoreType(KEY_STORE_TYPE)
                    .sslProvider(provider(spec.engine(), key))
                    .protocols("TLSv1.3")
                    .trustManager(spec.insecureSkipVerify()
                            ? io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0]
                            : trustManager(spec.caBundle(), spec.serverName()))
                    .build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS with certificate " + spec.certificate() + " and key "
                    + spec.privateKey() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The engine's provider, except for an EdDSA key with BoringSSL: a handshake that must present such a key fails
     * there with an internal error (Netty's key material for BoringSSL is chosen for RSA and EC keys only), so such a
     * context uses the JDK's engine, which speaks Ed25519 and Ed448 in TLS 1.3. The peer's engine does not matter.
     */
    static SslProvider provider(TlsEngine engine, PrivateKey key) {
        // EdDSA, Ed25519, Ed448
        return engine == TlsEngine.OPENSSL && key.getAlgorithm().startsWith("Ed") ? SslProvider.JDK : engine.provider();
    }

    /** PKIX validation against the CA bundle only, plus (on the client) the server-name check. */
    private static TrustManager trustManager(Path caBundle, String expectedServerName) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (X509Certificate ca : PemFiles.certificates(caBundle)) {
                ks.setCertificateEntry("ca" + i++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            X509TrustManager pkix = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    pkix = x;
                }
            }
            if (pkix == null) {
                throw new IllegalStateException("the JDK offers no X.509 trust manager");
            }
            return new CheckedTrust(pkix, expectedServerName, caBundle.toString());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("cannot use CA bundle " + caBundle + ": " + e.getMessage(), e);
        }
    }

    /**
     * PKIX validation with failures restated as one clear sentence (expired, not yet valid,
     * unknown CA), and on the client the check that the server's certificate carries the
     * configured name.
     */
    private static final class CheckedTrust extends X509ExtendedTrustManager {
        private final X509TrustManager pkix;
        private final String expected;
        private final String bundle;

        CheckedTrust(X509TrustManager pkix, String expected, String bundle) {
            this.pkix = pkix;
            this.expected = expected;
            this.bundle = bundle;
        }

        private void validate(X509Certificate[] chain, String authType, boolean client) throws CertificateException {
            String who = client ? "client" : "server";
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the " + who + " presented no certificate");
            }
            X509Certificate leaf = chain[0];
            String subject = leaf.getSubjectX500Principal().getName();
            try {
                leaf.checkValidity();
            } catch (java.security.cert.CertificateExpiredException e) {
                // keep the exception type: the TLS engine turns it into a certificate_expired alert
                throw new java.security.cert.CertificateExpiredException("the " + who + " certificate '" + subject
                        + "' expired on " + leaf.getNotAfter().toInstant());
            } catch (java.security.cert.CertificateNotYetValidException e) {
                throw new java.security.cert.CertificateNotYetValidException("the " + who + " certificate '"
                        + subject + "' is not valid before " + leaf.getNotBefore().toInstant());
            }
            try {
                if (client) {
                    pkix.checkClientTrusted(chain, authType);
                } else {
                    pkix.checkServerTrusted(chain, authType);
                }
            } catch (CertificateException e) {
                throw new CertificateException("the " + who + " certificate '" + subject + "' (issuer '"
                        + leaf.getIssuerX500Principal().getName() + "') is not signed by a CA in " + bundle
                        + " or is otherwise invalid: " + e.getMessage(), e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            validate(chain, authType, false);
            if (expected == null) {
                return;
            }
            X509Certificate leaf = chain[0];
            String cn;
            try {
                cn = TlsNames.commonName(leaf);
            } catch (IllegalArgumentException e) {
                throw new CertificateException(e.getMessage(), e);
            }
            if (!cn.equals(expected) && !TlsNames.dnsNames(leaf).contains(expected)) {
                throw new CertificateException("the server's certificate is for '" + cn + "', but this client expects '"
                        + expected + "'");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            validate(chain, authType, true);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            validate(chain, authType, true);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            validate(chain, authType, true);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}
