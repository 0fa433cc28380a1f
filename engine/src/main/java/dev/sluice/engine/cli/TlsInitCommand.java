package dev.sluice.engine.cli;

import dev.sluice.transport.tls.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** {@code sluice tls init}: makes a CA and node certificates (PEM, keys mode 0600) so nobody needs openssl. */
final class TlsInitCommand implements Command {
    @Override public String name() { return "tls init"; }
    @Override public String summary() { return "create a TLS CA and node certificates"; }
    @Override public Set<String> valued() { return Set.of("--dir", "--ca-name", "--node", "--days"); }
    @Override public Set<String> flags() { return Set.of("--help"); }

    @Override
    public String help() {
        return """
                Usage: sluice tls init --dir DIR --ca-name NAME --node NAME [--node NAME...] [--days N]

                Creates a certificate authority and one certificate per node, as PEM files
                in DIR (created if missing): ca.crt and ca.key, then NAME.crt and NAME.key
                for every --node. Keys are EC P-256, PKCS#8, readable only by you (mode
                0600). Each node certificate carries NAME as its common name and as a DNS
                name, and serves both as TLS client and server certificate. Existing files
                are never overwritten.

                Give every node ca.crt plus its own NAME.crt and NAME.key. Keep ca.key
                offline: whoever has it can make certificates your servers trust.

                Options:
                  --dir DIR       where to write the files
                  --ca-name NAME  the CA's common name
                  --node NAME     a node name (repeat for several); letters, digits, '.', '_', '-'
                  --days N        validity of every certificate, in days (default 825)
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        Path dir = Path.of(args.required("--dir", null));
        String caName = args.required("--ca-name", null);
        List<String> nodes = args.values("--node");
        int days = args.intValue("--days", 825);
        if (nodes.isEmpty()) {
            throw new UsageException("give at least one --node NAME");
        }
        if (days < 1 || days > 36500) {
            throw new UsageException("--days must be between 1 and 36500, not " + days);
        }
        if (!args.positional().isEmpty()) {
            throw new UsageException("unexpected argument " + args.positional().get(0));
        }
        if (nodes.contains("ca") || Set.copyOf(nodes).size() != nodes.size()) {
            throw new UsageException("node names must be distinct and not 'ca'");
        }
        for (String f : fileNames(nodes)) {
            if (Files.exists(dir.resolve(f))) {
                throw new UsageException("refusing to overwrite " + dir.resolve(f));
            }
        }
        Files.createDirectories(dir);
        Instant now = console.clock().instant();
        Instant from = now.minus(Duration.ofMinutes(5));
        Instant until = now.plus(Duration.ofDays(days));
        SecureRandom random = new SecureRandom();
        CertificateAuthority ca;
        try {
            ca = CertificateAuthority.create(caName, from, until, random);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        ca.writeTo(dir);
        console.out().println("created CA '" + caName + "': " + dir.resolve("ca.crt") + ", " + dir.resolve("ca.key"));
        for (String node : nodes) {
            CertificateAuthority.Issued issued;
            try {
                issued = ca.issue(node, from, until);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            issued.writeTo(dir);
            console.out().println("created node '" + node + "': " + dir.resolve(node + ".crt") + ", "
                    + dir.resolve(node + ".key"));
        }
        console.err().println("keep " + dir.resolve("ca.key") + " offline; nodes need only ca.crt and their own pair");
        return ExitCode.OK;
    }

    private static List<String> fileNames(List<String> nodes) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>(List.of("ca.crt", "ca.key"));
        for (String n : nodes) {
            out.add(n + ".crt");
            out.add(n + ".key");
        }
        return out;
    }
}
