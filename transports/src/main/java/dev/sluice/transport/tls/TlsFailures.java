package dev.sluice.transport.tls;

/** Turns TLS exceptions into one clear sentence (the innermost message, without stack noise). */
final class TlsFailures {

    private TlsFailures() {
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown reason";
        }
        StringBuilder b = new StringBuilder();
        Throwable c = t;
        String last = null;
        for (int depth = 0; c != null && depth < 8; depth++, c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && !m.isBlank() && (last == null || !last.contains(m))) {
                if (b.length() > 0) {
                    b.append(": ");
                }
                b.append(m.replaceAll("^[a-zA-Z.]+Exception: ", ""));
                last = m;
            }
        }
        String text = b.length() == 0 ? t.getClass().getSimpleName() : b.toString();
        if (text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE")) {
            // BoringSSL's code alone does not say what happened: the server asked for a certificate from its CAs
            return "the client sent no certificate (it has none, or none signed by a CA this server trusts): " + text;
        }
        return text;
    }
}
