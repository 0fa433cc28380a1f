package dev.sluice.engine.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Loads the sluice YAML file into a validated {@link SluiceConfig}, or fails with every problem in the file.
 *
 * <p>Relative paths in the file resolve against the directory that holds the file.
 */
public final class ConfigLoader {

    private static final List<Path> HOSTNAME_FILES = List.of(Path.of("/proc/sys/kernel/hostname"), Path.of("/etc/hostname"));

    private ConfigLoader() {}

    /**
     * Reads and validates a configuration file (UTF-8).
     *
     * @throws ConfigException listing every problem; a file that cannot be read is one problem naming it
     */
    public static SluiceConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException missing) {
            throw fileProblem(file, "cannot read the configuration file: it does not exist");
        } catch (CharacterCodingException notUtf8) {
            throw fileProblem(file, "cannot read the configuration file: it is not valid UTF-8");
        } catch (IOException unreadable) {
            throw fileProblem(file, "cannot read the configuration file: " + unreadable);
        }
        Path absolute = file.toAbsolutePath();
        Path baseDir = absolute.getParent() == null ? absolute.getRoot() : absolute.getParent();
        return parse(file, file.toString(), text, baseDir, ConfigLoader::machineHostname);
    }

    /**
     * Validates configuration text, e.g. in tests; the host default is this machine's hostname.
     *
     * @param fileName the name used in problems and as {@link SluiceConfig#file()}
     * @param baseDir the directory relative paths resolve against
     */
    public static SluiceConfig parse(String fileName, String yamlText, Path baseDir) throws ConfigException {
        return parse(Path.of(fileName), fileName, yamlText, baseDir, ConfigLoader::machineHostname);
    }

    /**
     * Validates configuration text with a given default for {@code global.host}, so that results do not depend on
     * the machine.
     */
    public static SluiceConfig parse(String fileName, String yamlText, Path baseDir, String defaultHost)
            throws ConfigException {
        return parse(Path.of(fileName), fileName, yamlText, baseDir, () -> defaultHost);
    }

    private static SluiceConfig parse(Path file, String fileName, String yamlText, Path baseDir,
            Supplier<String> machineHost) throws ConfigException {
        Problems problems = new Problems(fileName);
        Optional<YamlNode> root = YamlTreeReader.read(yamlText, problems);
        if (root.isEmpty()) {
            if (problems.isEmpty()) {
                problems.add(1, 1, "", "the file is empty; expected a mapping with a 'jobs' list");
            }
            throw problems.toException();
        }
        Optional<SluiceConfig> config = ConfigBinder.bind(root.get(), file, baseDir, machineHost, problems);
        if (config.isEmpty() || !problems.isEmpty()) {
            throw problems.toException();
        }
        SluiceConfig bound = config.get();
        return new SluiceConfig(bound.file(), bound.global(), bound.jobs(), sha256(yamlText));
    }

    /** The SHA-256 of the text's UTF-8 bytes, hex: for a file read as UTF-8, the digest of the file itself. */
    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    private static ConfigException fileProblem(Path file, String message) {
        return new ConfigException(List.of(new ConfigProblem(file.toString(), 0, 0, "", message)));
    }

    /** The kernel's hostname; throws IllegalStateException with a sentence when none can be read. */
    private static String machineHostname() {
        StringBuilder tried = new StringBuilder();
        for (Path source : HOSTNAME_FILES) {
            try {
                String name = Files.readString(source, StandardCharsets.UTF_8).trim();
                if (!name.isEmpty()) {
                    return name;
                }
                tried.append(source).append(" is empty; ");
            } catch (IOException unreadable) {
                tried.append(source).append(": ").append(unreadable).append("; ");
            }
        }
        throw new IllegalStateException("cannot find the machine's hostname (" + tried.substring(0, tried.length() - 2)
                + ")");
    }
}
