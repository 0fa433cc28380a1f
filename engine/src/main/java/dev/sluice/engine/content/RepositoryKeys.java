package dev.sluice.engine.content;

import dev.sluice.engine.crypto.Argon2Params;
import dev.sluice.engine.crypto.KeyCheck;
import dev.sluice.engine.crypto.KeyException;
import dev.sluice.engine.crypto.KeyFile;
import dev.sluice.engine.crypto.MasterKey;
import dev.sluice.engine.crypto.PasswordWrap;
import dev.sluice.engine.crypto.WrongKeyException;
import dev.sluice.engine.repository.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * Ties a master key to a repository: a key check stored in the clear lets a wrong key
 * fail with a clear message, and an optional password-wrapped copy of the master key lets
 * a password open the repository. The repository itself never sees the key.
 */
public final class RepositoryKeys {
    static final String CHECK = "check";
    static final String PASSWORD = "password";

    private RepositoryKeys() {}

    /** Records the key in a new repository; with a password, also stores the wrapped key. */
    public static void initialize(Repository repo, MasterKey key, char[] password, SecureRandom random)
            throws IOException {
        repo.writeKeyMaterial(CHECK, KeyCheck.create(key, repositoryId(repo)));
        if (password != null) {
            repo.writeKeyMaterial(PASSWORD, PasswordWrap.wrap(key, password, Argon2Params.DEFAULT, random));
        }
    }

    /**
     * Unlocks the repository with a key file or, failing that, a password file.
     *
     * @throws KeyException when neither is given, or the key or password is wrong
     */
    public static MasterKey unlock(Repository repo, Path keyFile, Path passwordFile) throws IOException, KeyException {
        MasterKey key;
        if (keyFile != null) {
            key = KeyFile.read(keyFile);
        } else if (passwordFile != null) {
            Optional<byte[]> wrapped = repo.readKeyMaterial(PASSWORD);
            if (wrapped.isEmpty()) {
                throw new KeyException("this repository has no password; use its key file (--key-file)");
            }
            char[] password = readPassword(passwordFile);
            try {
                key = PasswordWrap.unwrap(wrapped.get(), password);
            } finally {
                Arrays.fill(password, '\0');
            }
        } else {
            throw new KeyException("no key given: use --key-file or --password-file "
                    + "(or SLUICE_KEY_FILE / SLUICE_PASSWORD_FILE)");
        }
        Optional<byte[]> check = repo.readKeyMaterial(CHECK);
        if (check.isEmpty()) {
            throw new KeyException("the repository's key check (keys/" + CHECK + ") is missing");
        }
        try {
            KeyCheck.verify(key, check.get(), repositoryId(repo));
        } catch (WrongKeyException e) {
            throw new WrongKeyException("the key in " + (keyFile != null ? keyFile : passwordFile)
                    + " does not belong to this repository");
        }
        return key;
    }

    /** The repository's key check token, key-less, as a sink hands it to a key holder; empty if it has none. */
    public static Optional<byte[]> storedCheck(Repository repo) throws IOException {
        return repo.readKeyMaterial(CHECK);
    }

    /**
     * Verifies a key against the key check a remote repository sent, before anything is sent to it or read from
     * it.
     *
     * @param where names the key and the repository in the error, e.g. "the key in /etc/key … sink tls host:7443"
     * @throws WrongKeyException "the key in FILE does not belong to the repository of WHERE"
     * @throws KeyException when the token is not a key check at all
     */
    public static void verifyRemote(MasterKey key, String repositoryId, byte[] check, Path keyFile, String where)
            throws KeyException {
        try {
            KeyCheck.verify(key, check, repositoryId.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (WrongKeyException e) {
            throw new WrongKeyException("the key in " + keyFile + " does not belong to the repository of " + where
                    + ": its key check does not open with this key");
        } catch (IllegalArgumentException e) {
            throw new KeyException("the key check sent by " + where + " is damaged: " + e.getMessage());
        }
    }

    private static byte[] repositoryId(Repository repo) {
        return repo.settings().repositoryId().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Reads a password file: its first line, without the line end. */
    public static char[] readPassword(Path file) throws IOException, KeyException {
        byte[] raw = Files.readAllBytes(file);
        int end = 0;
        while (end < raw.length && raw[end] != '\n' && raw[end] != '\r') {
            end++;
        }
        if (end == 0) {
            throw new KeyException("password file " + file + " is empty");
        }
        char[] password = new String(raw, 0, end, java.nio.charset.StandardCharsets.UTF_8).toCharArray();
        Arrays.fill(raw, (byte) 0);
        return password;
    }
}
