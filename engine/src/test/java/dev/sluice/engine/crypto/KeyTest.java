package dev.sluice.engine.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyTest {

    static final Argon2Params SMALL = new Argon2Params(64, 1, 1);

    final SecureRandom random = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void masterKeyEncodesDecodesAndHidesItself() {
        MasterKey key = MasterKey.generate(random);
        byte[] enc = key.encoded();
        assertEquals(64, enc.length);
        MasterKey copy = MasterKey.decode(enc);
        assertArrayEquals(enc, copy.encoded());
        assertArrayEquals(key.chunkerSeed(), copy.chunkerSeed());
        assertEquals(32, key.chunkerSeed().length);
        assertNotEquals(ByteBuffer.wrap(key.chunkerSeed()), ByteBuffer.wrap(MasterKey.generate(random).chunkerSeed()));
        String hex = HexFormat.of().formatHex(enc);
        assertFalse(key.toString().contains(hex.substring(0, 8)));
        assertFalse(key.toString().contains(Base64.getEncoder().encodeToString(enc).substring(0, 8)));
        assertThrows(IllegalArgumentException.class, () -> MasterKey.decode(new byte[63]));
        key.destroy();
        assertTrue(key.isDestroyed());
        assertThrows(IllegalStateException.class, key::encoded);
        assertThrows(IllegalStateException.class, key::chunkerSeed);
    }

    @Test
    void keyFileRoundTripWithMode0600() throws Exception {
        MasterKey key = MasterKey.generate(random);
        Path file = dir.resolve("repo.key");
        KeyFile.create(file, key);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse(KeyFile.tooOpen(file));
        assertArrayEquals(key.encoded(), KeyFile.read(file).encoded());
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("sluice-key-v1\n") && text.endsWith("\n"));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left behind");
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertTrue(KeyFile.tooOpen(file));
    }

    @Test
    void keyFileRefusesToOverwrite() throws Exception {
        Path file = dir.resolve("repo.key");
        Files.writeString(file, "precious");
        assertThrows(FileAlreadyExistsException.class, () -> KeyFile.create(file, MasterKey.generate(random)));
        assertEquals("precious", Files.readString(file));
        MasterKey key = MasterKey.generate(random);
        Path second = dir.resolve("second.key");
        KeyFile.create(second, key);
        assertThrows(FileAlreadyExistsException.class, () -> KeyFile.create(second, MasterKey.generate(random)));
        assertArrayEquals(key.encoded(), KeyFile.read(second).encoded());
    }

    @Test
    void keyFileRejectsGarbage() throws Exception {
        MasterKey key = MasterKey.generate(random);
        String good = Base64.getEncoder().encodeToString(key.encoded());
        assertMessage(dir.resolve("missing.key"), null, "does not exist");
        assertMessage(dir.resolve("a"), "hello world\n", "not a sluice key file");
        assertMessage(dir.resolve("b"), "", "not a sluice key file");
        assertMessage(dir.resolve("c"), "sluice-key-v1\n" + good.substring(0, 40) + "\n", "truncated");
        assertMessage(dir.resolve("d"), "sluice-key-v1\n" + good, "truncated");
        assertMessage(dir.resolve("e"), "sluice-key-v1\n" + "*" + good.substring(1) + "\n", "base64");
        Files.write(dir.resolve("f"), new byte[10_000]);
        assertMessage(dir.resolve("f"), null, "bytes");
    }

    private static void assertMessage(Path file, String content, String expected) throws Exception {
        if (content != null) {
            Files.writeString(file, content, StandardCharsets.US_ASCII);
        }
        KeyException e = assertThrows(KeyException.class, () -> KeyFile.read(file));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(file.toString()),
                "message for " + file.getFileName() + ": " + e.getMessage());
        assertFalse(e instanceof WrongKeyException);
    }

    @Test
    void passwordWrapRoundTripAndWrongPassword() throws Exception {
        MasterKey key = MasterKey.generate(random);
        char[] password = "correct horse ✓".toCharArray();
        byte[] wrapped = PasswordWrap.wrap(key, password, SMALL, random);
        assertEquals(PasswordWrap.LENGTH, wrapped.length);
        assertEquals(SMALL, PasswordWrap.params(wrapped));
        assertArrayEquals(key.encoded(), PasswordWrap.unwrap(wrapped, password).encoded());
        WrongKeyException e = assertThrows(WrongKeyException.class,
                () -> PasswordWrap.unwrap(wrapped, "correct horse".toCharArray()));
        assertEquals("wrong password", e.getMessage());
        // Two wraps of the same key differ (fresh salt and nonce).
        assertNotEquals(ByteBuffer.wrap(wrapped), ByteBuffer.wrap(PasswordWrap.wrap(key, password, SMALL, random)));
    }

    @Test
    void passwordWrapDetectsTamperingAndTruncation() throws Exception {
        MasterKey key = MasterKey.generate(random);
        char[] password = "pw".toCharArray();
        byte[] wrapped = PasswordWrap.wrap(key, password, SMALL, random);
        // Changing the recorded iterations is caught by the associated data.
        byte[] tampered = wrapped.clone();
        tampered[8] = 2;
        assertThrows(WrongKeyException.class, () -> PasswordWrap.unwrap(tampered, password));
        byte[] flipped = wrapped.clone();
        flipped[wrapped.length - 1] ^= 1;
        assertThrows(WrongKeyException.class, () -> PasswordWrap.unwrap(flipped, password));
        KeyException shortEx = assertThrows(KeyException.class,
                () -> PasswordWrap.unwrap(java.util.Arrays.copyOf(wrapped, 50), password));
        assertFalse(shortEx instanceof WrongKeyException);
        assertTrue(shortEx.getMessage().contains("truncated"), shortEx.getMessage());
        byte[] future = wrapped.clone();
        future[0] = 9;
        assertTrue(assertThrows(KeyException.class, () -> PasswordWrap.unwrap(future, password))
                .getMessage().contains("version 9"));
        byte[] absurd = wrapped.clone();
        ByteBuffer.wrap(absurd).putInt(1, Integer.MAX_VALUE);
        assertFalse(assertThrows(KeyException.class, () -> PasswordWrap.unwrap(absurd, password))
                instanceof WrongKeyException);
    }

    @Test
    void argon2ParamsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new Argon2Params(4, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Argon2Params(64, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Argon2Params(64, 1, 0));
        assertTrue(Argon2Params.DEFAULT.memoryKiB() >= 64 * 1024);
    }

    @Test
    void keyCheckBindsKeyAndRepository() throws Exception {
        MasterKey key = MasterKey.generate(random);
        byte[] repo = "repository-1".getBytes(StandardCharsets.US_ASCII);
        byte[] check = KeyCheck.create(key, repo);
        assertEquals(KeyCheck.LENGTH, check.length);
        KeyCheck.verify(key, check, repo);
        KeyCheck.verify(MasterKey.decode(key.encoded()), check, repo.clone());
        assertThrows(WrongKeyException.class, () -> KeyCheck.verify(MasterKey.generate(random), check, repo));
        WrongKeyException e = assertThrows(WrongKeyException.class,
                () -> KeyCheck.verify(key, check, "repository-2".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("this key does not belong to this repository", e.getMessage());
        byte[] damaged = check.clone();
        damaged[20] ^= 1;
        assertThrows(WrongKeyException.class, () -> KeyCheck.verify(key, damaged, repo));
        assertThrows(IllegalArgumentException.class, () -> KeyCheck.verify(key, new byte[3], repo));
    }
}
