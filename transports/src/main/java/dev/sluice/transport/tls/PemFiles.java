package dev.sluice.transport.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemWriter;

/** Reads certificates and private keys (PKCS#8, PKCS#1 RSA, SEC1 EC) from PEM files, and writes them. */
final class PemFiles {

    private PemFiles() {
    }

    /** Every certificate in a PEM file, in order; fails if there is none. */
    static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(conv.getCertificate(h));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("certificate file " + file + " holds no PEM certificate");
        }
        return out;
    }

    /** The one private key in a PEM file. */
    static PrivateKey privateKey(Path file) {
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof PrivateKeyInfo info) {
                    return conv.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return conv.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IllegalArgumentException("private key file " + file
                            + " is encrypted; sluice needs an unencrypted key protected by file permissions (0600)");
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read a private key from " + file + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("private key file " + file + " holds no PEM private key");
    }

    /** PEM text for certificates or keys. */
    static String toPem(Object... objects) {
        StringWriter s = new StringWriter();
        try (PemWriter w = new PemWriter(s)) {
            for (Object o : objects) {
                if (o instanceof PrivateKey key) {
                    // PKCS#8 ("PRIVATE KEY"), which every TLS stack reads
                    w.writeObject(new JcaPKCS8Generator(key, null));
                } else {
                    w.writeObject(new JcaMiscPEMGenerator(o));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }
}
