package dev.sluice.transport.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which cipher ssh offers first. OpenSSH offers chacha20-poly1305 first; on a CPU with AES instructions its AES-GCM
 * ciphers take less than half the CPU for the same bytes, and ssh and sshd are a third of a mirror's CPU over ssh
 * (docs/transports.md, "Cipher order"). So on such a CPU the ssh transport asks ssh to offer the AES-GCM ciphers its
 * configuration already allows first. The order only changes: a cipher the configuration leaves out is never added,
 * and a job that names {@code Ciphers} in its ssh options gets exactly that.
 */
public final class CipherOrder {

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static volatile Boolean cpuHasAes;

    private CipherOrder() {
    }

    /** Whether this machine's CPU has AES instructions ({@code /proc/cpuinfo}; false where it cannot be read). */
    public static boolean cpuHasAes() {
        Boolean known = cpuHasAes;
        if (known == null) {
            boolean has;
            try {
                has = cpuHasAes(Files.readAllLines(CPUINFO));
            } catch (IOException | RuntimeException e) {
                has = false;
            }
            cpuHasAes = known = has;
        }
        return known;
    }

    /** Whether the {@code flags} (x86) or {@code Features} (ARM) lines of a cpuinfo text name {@code aes}. */
    static boolean cpuHasAes(List<String> cpuinfo) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            if (key.equals("flags") || key.equals("Features")) {
                for (String flag : line.substring(colon + 1).trim().split("\\s+")) {
                    if (flag.equals("aes")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The value of the {@code ciphers} line of {@code ssh -G}'s output, if there is one. */
    static Optional<String> effective(List<String> sshG) {
        for (String line : sshG) {
            if (line.startsWith("ciphers ")) {
                String v = line.substring("ciphers ".length()).trim();
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /**
     * {@code ciphers} (ssh's comma-separated list) with its AES-GCM ciphers moved to the front, each group in its own
     * order; empty when that changes nothing (no AES-GCM cipher in the list, or they already lead it).
     */
    static Optional<String> aesGcmFirst(String ciphers) {
        List<String> gcm = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String c : ciphers.split(",")) {
            if (c.isBlank()) {
                continue;
            }
            (c.startsWith("aes") && c.contains("-gcm") ? gcm : rest).add(c.trim());
        }
        List<String> order = new ArrayList<>(gcm);
        order.addAll(rest);
        String joined = String.join(",", order);
        return gcm.isEmpty() || joined.equals(ciphers.trim()) ? Optional.empty() : Optional.of(joined);
    }

    /** Whether ssh options ("Key=value") already choose the ciphers (ssh's keywords are case-insensitive). */
    static boolean chosenIn(List<String> options) {
        return options.stream().anyMatch(o -> o.regionMatches(true, 0, "Ciphers=", 0, "Ciphers=".length()));
    }
}
