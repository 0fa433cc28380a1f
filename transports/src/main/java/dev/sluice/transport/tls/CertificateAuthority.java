package dev.sluice.transport.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import dev.sluice.transport.PeerIdentity;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for sluice nodes: an EC P-256 key and a self-signed CA
 * certificate, issuing node certificates whose name is both the CN and a DNS SAN, usable
 * as TLS client and server. Backs {@code sluice tls init}, so nobody needs openssl by hand.
 */
public final class CertificateAuthority {

    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;
    private final SecureRandom random;

    private CertificateAuthority(String name, KeyPair keys, X509Certificate certificate, SecureRandom random) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
        this.random = random;
    }

    /** A certificate and its private key. */
    public record Issued(String name, X509Certificate certificate, PrivateKey privateKey) {

        /** Writes {@code NAME.crt} and {@code NAME.key} (mode 0600) into {@code dir}; refuses to overwrite. */
        public void writeTo(Path dir) {
            writeFile(dir.resolve(name + ".crt"), PemFiles.toPem(certificate), false);
            writeFile(dir.resolve(name + ".key"), PemFiles.toPem(privateKey), true);
        }
    }

    /** A new CA named {@code name}, valid from {@code notBefore} to {@code notAfter}. */
    public static CertificateAuthority create(String name, Instant notBefore, Instant notAfter, SecureRandom random) {
        checkName(name);
        KeyPair keys = newKeyPair(random);
        X500Name subject = x500(name);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(random),
                    Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(name, keys, sign(b, keys.getPrivate()), random);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create CA certificate '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Loads an existing CA from its certificate and key PEM files. */
    public static CertificateAuthority load(Path certificateFile, Path keyFile, SecureRandom random) {
        X509Certificate cert = PemFiles.certificates(certificateFile).get(0);
        PrivateKey key = PemFiles.privateKey(keyFile);
        String cn = TlsNames.commonName(cert);
        return new CertificateAuthority(cn, new KeyPair(cert.getPublicKey(), key), cert, random);
    }

    /** The CA's own certificate (the trust anchor every node needs). */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA's certificate and key, as written by {@link #writeTo}. */
    public Issued asIssued() {
        return new Issued(name, certificate, keys.getPrivate());
    }

    /** Writes {@code ca.crt} and {@code ca.key} (mode 0600) into {@code dir}; refuses to overwrite. */
    public void writeTo(Path dir) {
        writeFile(dir.resolve("ca.crt"), PemFiles.toPem(certificate), false);
        writeFile(dir.resolve("ca.key"), PemFiles.toPem(keys.getPrivate()), true);
    }

    /** A node certificate for {@code nodeName} (CN and DNS SAN), for TLS client and server use. */
    public Issued issue(String nodeName, Instant notBefore, Instant notAfter) {
        checkName(nodeName);
        KeyPair nodeKeys = newKeyPair(random);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(random),
                    Date.from(notBefore), Date.from(notAfter), x500(nodeName), nodeKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.dNSName, nodeName)))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(nodeKeys.getPublic()));
            return new Issued(nodeName, sign(b, keys.getPrivate()), nodeKeys.getPrivate());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a certificate for '" + nodeName + "': " + e.getMessage(), e);
        }
    }

    private static void checkName(String name) {
        if (!PeerIdentity.isValid(name)) {
            throw new IllegalArgumentException("certificate name '" + name + "' is not allowed: use 1 to 64 "
                    + "characters, a letter or digit first, then letters, digits, '.', '_' or '-'");
        }
    }

    private static X500Name x500(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    private static KeyPair newKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static void writeFile(Path file, String text, boolean secret) {
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--");
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(mode)); OutputStream out = Channels.newOutputStream(ch)) {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            ch.force(true);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("refusing to overwrite " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        try {
            Files.setPosixFilePermissions(file, mode);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the mode of " + file + ": " + e.getMessage(), e);
        }
    }
}
