package dev.sluice.engine.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackTest {
    @TempDir
    Path dir;

    @Test
    void manyBlobsRoundTripThroughWriterAndReader() throws IOException {
        Random random = new Random(1);
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            List<byte[]> contents = new ArrayList<>();
            List<BlobId> ids = new ArrayList<>();
            PackInfo info;
            try (PackWriter writer = repo.newPackWriter()) {
                for (int i = 0; i < 3000; i++) {
                    // mostly small blobs, a few larger than the write buffer
                    int length = i % 1000 == 999 ? 3 << 20 : random.nextInt(4000);
                    byte[] blob = RepositoryFixture.randomBytes(random, length + 16);
                    BlobId id = RepositoryFixture.randomId(random);
                    // add from the middle of a larger array to test off/len
                    writer.add(id, i % 7 == 0 ? BlobKind.TREE : BlobKind.DATA, blob, 8, length);
                    contents.add(java.util.Arrays.copyOfRange(blob, 8, 8 + length));
                    ids.add(id);
                }
                assertEquals(3000, writer.count());
                info = writer.finish();
            }
            Path file = repo.layout().pack(info.id());
            assertTrue(Files.isRegularFile(file));
            assertEquals(Files.size(file), info.size());
            assertEquals(info.id(), PackId.of(Sha256.of(Files.readAllBytes(file))));
            try (Stream<Path> tmp = Files.list(repo.layout().tmp())) {
                assertEquals(0, tmp.count(), "temporary pack file is gone after finish");
            }
            try (PackReader reader = PackReader.open(file, info.id())) {
                assertEquals(info.entries(), reader.entries());
                reader.verifyHash();
                for (int i = 0; i < ids.size(); i++) {
                    IndexEntry e = reader.entries().get(i);
                    assertEquals(ids.get(i), e.id());
                    assertEquals(i % 7 == 0 ? BlobKind.TREE : BlobKind.DATA, e.kind());
                    assertArrayEquals(contents.get(i), reader.readBlob(e));
                }
            }
        }
    }

    @Test
    void emptyPackIsValid() throws IOException {
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            PackInfo info = repo.newPackWriter().finish();
            try (PackReader reader = PackReader.open(repo.layout().pack(info.id()), info.id())) {
                assertTrue(reader.entries().isEmpty());
                reader.verifyHash();
            }
        }
    }

    @Test
    void abortRemovesTheTemporaryFile() throws IOException {
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            PackWriter writer = repo.newPackWriter();
            byte[] blob = new byte[100];
            writer.add(RepositoryFixture.randomId(new Random(2)), BlobKind.DATA, blob, 0, blob.length);
            writer.abort();
            try (Stream<Path> tmp = Files.list(repo.layout().tmp())) {
                assertEquals(0, tmp.count());
            }
            assertThrows(IllegalStateException.class, writer::finish);
        }
    }

    @Test
    void duplicateBlobInOnePackIsRefused() throws IOException {
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"));
             PackWriter writer = repo.newPackWriter()) {
            BlobId id = RepositoryFixture.randomId(new Random(3));
            writer.add(id, BlobKind.DATA, new byte[1], 0, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> writer.add(id, BlobKind.DATA, new byte[1], 0, 1));
            assertTrue(e.getMessage().contains(id.shortHex()), e.getMessage());
        }
    }

    @Test
    void flippedByteFailsHashVerificationNamingThePack() throws IOException {
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            PackInfo info = RepositoryFixture.writePack(repo, new Random(4), 50, 500);
            Path file = repo.layout().pack(info.id());
            RepositoryFixture.flipByte(file, info.entries().get(10).offset());
            try (PackReader reader = PackReader.open(file, info.id())) {
                RepositoryException e = assertThrows(RepositoryException.class, reader::verifyHash);
                assertTrue(e.getMessage().contains(info.id().hex()), e.getMessage());
            }
        }
    }

    @Test
    void truncatedOrDamagedTrailerIsAClearError() throws IOException {
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            PackInfo info = RepositoryFixture.writePack(repo, new Random(5), 20, 300);
            Path file = repo.layout().pack(info.id());
            byte[] original = Files.readAllBytes(file);

            RepositoryFixture.truncate(file, original.length - 7);
            RepositoryException cut = assertThrows(RepositoryException.class, () -> PackReader.open(file, info.id()));
            assertTrue(cut.getMessage().contains(info.id().hex()) && cut.getMessage().contains("truncated"),
                    cut.getMessage());

            RepositoryFixture.truncate(file, 5);
            assertThrows(RepositoryException.class, () -> PackReader.open(file, info.id()));

            Files.write(file, original);
            // a byte inside the trailer's entries: the CRC catches it
            RepositoryFixture.flipByte(file, original.length - 16 - 3);
            RepositoryException crc = assertThrows(RepositoryException.class, () -> PackReader.open(file, info.id()));
            assertTrue(crc.getMessage().contains("checksum"), crc.getMessage());
        }
    }

    @Test
    void readerRefusesEntriesOutsideTheDataArea() throws IOException {
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"))) {
            PackInfo info = RepositoryFixture.writePack(repo, new Random(6), 3, 100);
            try (PackReader reader = PackReader.open(repo.layout().pack(info.id()), info.id())) {
                IndexEntry last = info.entries().get(2);
                IndexEntry beyond = new IndexEntry(last.id(), last.kind(), info.id(), last.offset(), last.length() + 1);
                assertThrows(RepositoryException.class, () -> reader.readBlob(beyond));
            }
        }
    }

    @Test
    void writerDoesNotIssueTinyWrites() throws IOException {
        // 10 000 blobs of 10 bytes must not leave the temp file growing by 10 bytes a time:
        // after adds (below the buffer size) nothing has reached the file yet.
        try (Repository repo = RepositoryFixture.init(dir.resolve("repo"));
             PackWriter writer = repo.newPackWriter()) {
            Random random = new Random(7);
            for (int i = 0; i < 10_000; i++) {
                writer.add(RepositoryFixture.randomId(random), BlobKind.DATA, new byte[10], 0, 10);
            }
            Path temp;
            try (Stream<Path> tmp = Files.list(repo.layout().tmp())) {
                temp = tmp.findFirst().orElseThrow();
            }
            assertEquals(0, Files.size(temp), "all 100 KB are still in the writer's buffer");
            assertFalse(writer.size() == 0);
        }
    }
}
