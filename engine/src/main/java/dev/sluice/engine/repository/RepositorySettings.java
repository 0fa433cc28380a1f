package dev.sluice.engine.repository;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The clear settings of a repository, stored in its {@code config} file: format version,
 * repository id, creation time, chunker sizes, compression and pack target size.
 *
 * <p>Everything here is readable without the key; nothing here is secret.
 */
public record RepositorySettings(
        int version,
        String repositoryId,
        Instant created,
        int chunkerMinSize,
        int chunkerAvgSize,
        int chunkerMaxSize,
        String compression,
        int compressionLevel,
        long packTargetSize) {

    /** The only config version this code reads and writes. */
    public static final int CURRENT_VERSION = 1;
    /** 16 MiB: large enough that a repository of a few TiB has well under a million pack files. */
    public static final long DEFAULT_PACK_TARGET_SIZE = 16L << 20;
    /** 512 KiB / 1 MiB / 8 MiB, the sizes restic uses, with a good dedup ratio on backup data. */
    public static final int DEFAULT_CHUNKER_MIN = 256 << 10;
    public static final int DEFAULT_CHUNKER_AVG = 1 << 20;
    public static final int DEFAULT_CHUNKER_MAX = 4 << 20;
    public static final String DEFAULT_COMPRESSION = "zstd";
    public static final int DEFAULT_COMPRESSION_LEVEL = 3;

    static final String FORMAT_NAME = "sluice-repository";
    private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final List<String> KEYS = List.of("format", "version", "repository-id", "created",
            "chunker.min-size", "chunker.avg-size", "chunker.max-size", "compression.algorithm",
            "compression.level", "pack.target-size", "checksum");

    public RepositorySettings {
        if (version != CURRENT_VERSION) {
            throw new IllegalArgumentException("unsupported repository version " + version
                    + " (this sluice supports version " + CURRENT_VERSION + ")");
        }
        Objects.requireNonNull(repositoryId, "repositoryId");
        if (repositoryId.length() != 64 || !Hex.isLowerHex(repositoryId)) {
            throw new IllegalArgumentException("repository id must be 64 lower-case hexadecimal digits, got '"
                    + repositoryId + "'");
        }
        Objects.requireNonNull(created, "created");
        if (chunkerMinSize < 64 || chunkerMinSize > chunkerAvgSize || chunkerAvgSize > chunkerMaxSize) {
            throw new IllegalArgumentException("chunker sizes must satisfy 64 <= min <= avg <= max, got min "
                    + chunkerMinSize + ", avg " + chunkerAvgSize + ", max " + chunkerMaxSize);
        }
        Objects.requireNonNull(compression, "compression");
        if (!ALGORITHM.matcher(compression).matches()) {
            throw new IllegalArgumentException("compression algorithm name '" + compression
                    + "' must be 1-32 characters of a-z, 0-9 and '-'");
        }
        if (packTargetSize < 4096 || packTargetSize > (1L << 30)) {
            throw new IllegalArgumentException("pack target size must be between 4 KiB and 1 GiB, got "
                    + packTargetSize);
        }
    }

    /** Default settings with a fresh random repository id and the clock's current time. */
    public static RepositorySettings createDefault(Clock clock, SecureRandom random) {
        byte[] id = new byte[32];
        random.nextBytes(id);
        return new RepositorySettings(CURRENT_VERSION, Hex.encode(id), clock.instant(),
                DEFAULT_CHUNKER_MIN, DEFAULT_CHUNKER_AVG, DEFAULT_CHUNKER_MAX,
                DEFAULT_COMPRESSION, DEFAULT_COMPRESSION_LEVEL, DEFAULT_PACK_TARGET_SIZE);
    }

    public RepositorySettings withChunker(int min, int avg, int max) {
        return new RepositorySettings(version, repositoryId, created, min, avg, max, compression,
                compressionLevel, packTargetSize);
    }

    public RepositorySettings withCompression(String algorithm, int level) {
        return new RepositorySettings(version, repositoryId, created, chunkerMinSize, chunkerAvgSize,
                chunkerMaxSize, algorithm, level, packTargetSize);
    }

    public RepositorySettings withPackTargetSize(long size) {
        return new RepositorySettings(version, repositoryId, created, chunkerMinSize, chunkerAvgSize,
                chunkerMaxSize, compression, compressionLevel, size);
    }

    /** The text of the {@code config} file: {@code key = value} lines ending with a SHA-256 checksum line. */
    public String encode() {
        StringBuilder sb = new StringBuilder();
        sb.append("# sluice repository configuration (clear text, see docs/repository.md)\n");
        sb.append("format = ").append(FORMAT_NAME).append('\n');
        sb.append("version = ").append(version).append('\n');
        sb.append("repository-id = ").append(repositoryId).append('\n');
        sb.append("created = ").append(created).append('\n');
        sb.append("chunker.min-size = ").append(chunkerMinSize).append('\n');
        sb.append("chunker.avg-size = ").append(chunkerAvgSize).append('\n');
        sb.append("chunker.max-size = ").append(chunkerMaxSize).append('\n');
        sb.append("compression.algorithm = ").append(compression).append('\n');
        sb.append("compression.level = ").append(compressionLevel).append('\n');
        sb.append("pack.target-size = ").append(packTargetSize).append('\n');
        String checksum = sha256Hex(sb.toString());
        sb.append("checksum = sha256:").append(checksum).append('\n');
        return sb.toString();
    }

    /**
     * Parses a config file's text; {@code source} names the file in errors. The version is checked
     * before the checksum, so a config written by a newer sluice is reported as such.
     */
    public static RepositorySettings decode(String text, String source) throws RepositoryException {
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        int checksumLineStart = -1;
        int pos = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int lineStart = pos;
            pos += line.length() + 1;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf(" = ");
            if (eq <= 0) {
                throw new RepositoryException("config " + source + " is damaged: line " + (i + 1)
                        + " is not 'key = value': '" + line + "'");
            }
            String key = line.substring(0, eq);
            if (values.containsKey(key)) {
                throw new RepositoryException("config " + source + " is damaged: key '" + key + "' appears twice");
            }
            values.put(key, line.substring(eq + 3));
            if (key.equals("checksum")) {
                checksumLineStart = lineStart;
            }
        }
        String format = values.get("format");
        if (format == null) {
            throw new RepositoryException("config " + source + " is damaged or not a sluice repository config:"
                    + " it has no 'format' line");
        }
        if (!format.equals(FORMAT_NAME)) {
            throw new RepositoryException("config " + source + " is not a sluice repository config (format '"
                    + format + "')");
        }
        String versionText = values.get("version");
        if (versionText == null) {
            throw new RepositoryException("config " + source + " is damaged: it has no 'version' line");
        }
        int version = parseInt(versionText, "version", source);
        if (version != CURRENT_VERSION) {
            throw new RepositoryException("config " + source + " has repository version " + version
                    + ", but this sluice supports only version " + CURRENT_VERSION);
        }
        String checksum = values.get("checksum");
        if (checksum == null) {
            throw new RepositoryException("config " + source + " is damaged: it has no checksum line"
                    + " (truncated?)");
        }
        String expected = "sha256:" + sha256Hex(text.substring(0, checksumLineStart));
        if (!checksum.equals(expected)) {
            throw new RepositoryException("config " + source + " is damaged: its checksum does not match"
                    + " its content");
        }
        for (String key : KEYS) {
            if (!values.containsKey(key)) {
                throw new RepositoryException("config " + source + " is damaged: key '" + key + "' is missing");
            }
        }
        for (String key : values.keySet()) {
            if (!KEYS.contains(key)) {
                throw new RepositoryException("config " + source + " has unknown key '" + key + "'");
            }
        }
        try {
            Instant created;
            try {
                created = Instant.parse(values.get("created"));
            } catch (DateTimeParseException e) {
                throw new RepositoryException("config " + source + " is damaged: 'created' is not an ISO-8601"
                        + " instant: '" + values.get("created") + "'", e);
            }
            return new RepositorySettings(version, values.get("repository-id"), created,
                    parseInt(values.get("chunker.min-size"), "chunker.min-size", source),
                    parseInt(values.get("chunker.avg-size"), "chunker.avg-size", source),
                    parseInt(values.get("chunker.max-size"), "chunker.max-size", source),
                    values.get("compression.algorithm"),
                    parseInt(values.get("compression.level"), "compression.level", source),
                    parseLong(values.get("pack.target-size"), "pack.target-size", source));
        } catch (IllegalArgumentException e) {
            throw new RepositoryException("config " + source + " has an invalid value: " + e.getMessage(), e);
        }
    }

    private static int parseInt(String value, String key, String source) throws RepositoryException {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new RepositoryException("config " + source + ": '" + key + "' is not an integer: '" + value + "'", e);
        }
    }

    private static long parseLong(String value, String key, String source) throws RepositoryException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new RepositoryException("config " + source + ": '" + key + "' is not an integer: '" + value + "'", e);
        }
    }

    private static String sha256Hex(String text) {
        return Hex.encode(Sha256.of(text.getBytes(StandardCharsets.UTF_8)));
    }
}
