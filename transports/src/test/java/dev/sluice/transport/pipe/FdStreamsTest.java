package dev.sluice.transport.pipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FdStreamsTest {

    @Test
    void aChildsPipesReopenedCarryItsStdinAndStdoutAndItSeesTheEnd() throws Exception {
        Process cat = new ProcessBuilder("cat").start();
        FileChannel toCat = FdStreams.childPipe(cat, 0).orElseThrow();
        FileChannel fromCat = FdStreams.childPipe(cat, 1).orElseThrow();
        // the Process's own ends are closed: cat must still read everything and see the end from ours alone
        cat.getOutputStream().close();
        cat.getInputStream().close();
        byte[] sent = new byte[3 * 1024 * 1024 + 17];
        new Random(3).nextBytes(sent);
        Thread writer = new Thread(() -> {
            try (toCat) {
                ByteBuffer b = ByteBuffer.wrap(sent);
                while (b.hasRemaining()) {
                    toCat.write(b);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (fromCat) {
            ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
            while (fromCat.read(b.clear()) >= 0) {
                b.flip();
                byte[] part = new byte[b.remaining()];
                b.get(part);
                got.write(part);
            }
        }
        writer.join(10_000);
        assertTrue(cat.waitFor(10, TimeUnit.SECONDS), "cat saw the end of its input");
        assertEquals(0, cat.exitValue());
        assertArrayEquals(sent, got.toByteArray());
    }

    @Test
    void aDescriptorThatIsNotAPipeIsNotReopened(@TempDir Path dir) throws Exception {
        Path input = Files.writeString(dir.resolve("in"), "x");
        Process cat = new ProcessBuilder("cat").redirectInput(input.toFile()).start();
        try {
            assertTrue(FdStreams.childPipe(cat, 0).isEmpty(), "stdin is a file");
            cat.getInputStream().readAllBytes();
            assertTrue(cat.waitFor(10, TimeUnit.SECONDS));
            // an exited (reaped) child has no descriptors to reopen
            assertTrue(FdStreams.childPipe(cat, 1).isEmpty(), "the child is gone");
        } finally {
            cat.destroy();
        }
    }
}
