package dev.sluice.engine.repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Builds repositories, ids and packs with deterministic content for the repository tests. */
final class RepositoryFixture {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-01T12:00:00.123456789Z"), ZoneOffset.UTC);

    private RepositoryFixture() {}

    static Repository init(Path root) throws IOException {
        return Repository.init(root, RepositorySettings.createDefault(CLOCK, new SecureRandom()));
    }

    static BlobId randomId(Random random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return BlobId.of(b);
    }

    static byte[] randomBytes(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    /** A pack with {@code count} random blobs of 0 to {@code maxLength} bytes; returns its info, blobs in order. */
    static PackInfo writePack(Repository repo, Random random, int count, int maxLength, List<byte[]> contents)
            throws IOException {
        try (PackWriter writer = repo.newPackWriter()) {
            for (int i = 0; i < count; i++) {
                byte[] blob = randomBytes(random, random.nextInt(maxLength + 1));
                contents.add(blob);
                writer.add(randomId(random), i % 5 == 0 ? BlobKind.TREE : BlobKind.DATA, blob, 0, blob.length);
            }
            return writer.finish();
        }
    }

    static PackInfo writePack(Repository repo, Random random, int count, int maxLength) throws IOException {
        return writePack(repo, random, count, maxLength, new ArrayList<>());
    }

    static void flipByte(Path file, long position) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) position] ^= 0x40;
        Files.write(file, b);
    }

    static void truncate(Path file, long newSize) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(b, (int) newSize));
    }
}
