package dev.sluice.engine.fs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Where sluice keeps caches that only save time (a lost cache costs a slower run, never data):
 * {@code $XDG_CACHE_HOME/sluice}, else {@code $HOME/.cache/sluice}.
 */
public final class CacheRoot {

    private CacheRoot() {
    }

    /** The cache root for this environment; empty if neither variable holds an absolute path (no cache then). */
    public static Optional<Path> of(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Optional.of(Path.of(xdg, "sluice"));
        }
        String home = env.get("HOME");
        if (home != null && !home.isEmpty() && Path.of(home).isAbsolute()) {
            return Optional.of(Path.of(home, ".cache", "sluice"));
        }
        return Optional.empty();
    }

    /**
     * A file name for something named by arbitrary bytes (a job name, a target path): the first 16 hex digits of
     * their SHA-256, which only has to keep two such names apart.
     */
    public static String fileName(String what) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(what.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
