package dev.sluice.transport.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
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

    private TlsContexts() {
    }

    static SslContext server(TlsServerSpec spec) {
        List<X509Certificate> chain = PemFiles.certificates(spec.certificate());
        PrivateKey key = PemFiles.privateKey(spec.privateKey());
        try {
            return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                    .sslProvider(spec.engine().provider())
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
                    .sslProvider(spec.engine().provider())
                    .protocols("TLSv1.3")
                    .trustManager(trustManager(spec.caBundle(), spec.serverName()))
                    .build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS with certificate " + spec.certificate() + " and key "
                    + spec.privateKey() + ": " + e.getMessage(), e);
        }
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
            return expectedServerName == null ? pkix : new ServerNameCheck(pkix, expectedServerName);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("cannot use CA bundle " + caBundle + ": " + e.getMessage(), e);
        }
    }

    /** Checks, after PKIX validation, that the server's certificate carries the configured name. */
    private static final class ServerNameCheck extends X509ExtendedTrustManager {
        private final X509TrustManager pkix;
        private final String expected;

        ServerNameCheck(X509TrustManager pkix, String expected) {
            this.pkix = pkix;
            this.expected = expected;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
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
            pkix.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}
