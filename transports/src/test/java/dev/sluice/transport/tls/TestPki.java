package dev.sluice.transport.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

/** Certificates made at test time by {@link CertificateAuthority}: a CA, nodes, an expired one, a foreign CA. */
final class TestPki {

    final Path dir;
    final Path caCert;
    final Path foreignDir;

    TestPki(Path dir) throws Exception {
        this.dir = dir;
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), random);
        ca.writeTo(dir);
        caCert = dir.resolve("ca.crt");
        for (String n : new String[] {"sink", "source", "stranger"}) {
            ca.issue(n, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(dir);
        }
        ca.issue("expired", now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1))).writeTo(dir);
        foreignDir = dir.resolve("foreign");
        Files.createDirectory(foreignDir);
        CertificateAuthority foreign = CertificateAuthority.create("other-ca", now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)), random);
        foreign.writeTo(foreignDir);
        foreign.issue("source", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).writeTo(foreignDir);
    }

    Path cert(String name) {
        return dir.resolve(name + ".crt");
    }

    Path key(String name) {
        return dir.resolve(name + ".key");
    }
}
