package dev.sluice.engine.mirror.dest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.engine.fs.RawDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RawDescriptor#channel}: a channel over a descriptor the receiver opened, which owns it from then on. */
class AdoptedChannelTest {

    @TempDir
    Path dir;

    /** Whether {@code fd} still names {@code file} in this process (a closed number may be reused for another). */
    static boolean holds(int fd, Path file) throws IOException {
        Path link = Path.of("/proc/self/fd/" + fd);
        return Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && Files.readSymbolicLink(link).equals(file.toRealPath());
    }

    @Test
    void aWritableChannelWritesTheOpenFileAndClosingItClosesTheDescriptor() throws Exception {
        byte[] name = "new".getBytes(StandardCharsets.UTF_8);
        try (DirectoryHandle d = DirectoryHandle.openRoot(dir)) {
            int fd = d.open(name, NativeCalls.O_RDWR | NativeCalls.O_CREAT | NativeCalls.O_EXCL, 0600);
            Path file = dir.resolve("new");
            FileChannel ch = RawDescriptor.channel(fd, true);
            ch.write(ByteBuffer.wrap("world".getBytes(StandardCharsets.UTF_8)), 6);
            ch.write(ByteBuffer.wrap("hello ".getBytes(StandardCharsets.UTF_8)), 0);
            assertEquals(11, NativeCalls.fstat(fd, "new").size(), "the same open file as the descriptor");
            assertTrue(holds(fd, file));
            ch.close();
            assertFalse(holds(fd, file), "closing the channel closes the descriptor");
            assertEquals("hello world", Files.readString(file));
        }
    }

    @Test
    void aReadOnlyChannelReadsAndRefusesWrites() throws Exception {
        Files.writeString(dir.resolve("old"), "basis bytes");
        try (DirectoryHandle d = DirectoryHandle.openRoot(dir)) {
            int fd = d.open("old".getBytes(StandardCharsets.UTF_8), NativeCalls.O_RDONLY, 0);
            try (FileChannel ch = RawDescriptor.channel(fd, false)) {
                ByteBuffer b = ByteBuffer.allocate(5);
                ch.read(b, 6);
                assertEquals("bytes", new String(b.array(), StandardCharsets.US_ASCII));
                assertThrows(NonWritableChannelException.class, () -> ch.write(ByteBuffer.allocate(1), 0));
            }
            assertFalse(holds(fd, dir.resolve("old")));
        }
    }
}
