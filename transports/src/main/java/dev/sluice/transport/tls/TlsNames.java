package dev.sluice.transport.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** Reads the names a certificate claims: its subject CN and its DNS subject alternative names. */
final class TlsNames {

    private TlsNames() {
    }

    /** The subject's common name; fails if there is not exactly one. */
    static String commonName(X509Certificate cert) {
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        RDN[] cns = subject.getRDNs(BCStyle.CN);
        if (cns.length != 1) {
            throw new IllegalArgumentException("certificate '" + cert.getSubjectX500Principal()
                    + "' has " + cns.length + " common names; exactly one is required");
        }
        return IETFUtils.valueToString(cns[0].getFirst().getValue());
    }

    /** The DNS names in the subject alternative name extension. */
    static List<String> dnsNames(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        out.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("certificate '" + cert.getSubjectX500Principal()
                    + "' has unreadable alternative names: " + e.getMessage(), e);
        }
        return out;
    }
}
