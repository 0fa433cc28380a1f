package dev.sluice.transport.pipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ChildPipesTest {

    @Test
    @Timeout(60)
    void aChildsStdinAndStdoutAreOurPipesAndItSeesTheirEnd() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("cat");
        ChildPipes pipes = ChildPipes.redirect(pb).orElseThrow();
        Process cat = pb.start();
        pipes.started();
        assertTrue(FdStreams.isPipe(pipes.toChild()) && FdStreams.isPipe(pipes.fromChild()));
        assertEquals(-1, cat.getInputStream().read(), "the Process has no stdout stream of its own");
        byte[] sent = new byte[3 * 1024 * 1024 + 17];
        new Random(3).nextBytes(sent);
        WritableByteChannel toCat = FdStreams.writable(pipes.toChild());
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
        try (ReadableByteChannel fromCat = FdStreams.readable(pipes.fromChild())) {
            ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
            while (fromCat.read(b.clear()) >= 0) {
                b.flip();
                byte[] part = new byte[b.remaining()];
                b.get(part);
                got.write(part);
            }
        }
        writer.join(10_000);
        // cat ends only when every write end of its stdin is closed: the child's own end here must be too
        assertTrue(cat.waitFor(10, TimeUnit.SECONDS), "cat saw the end of its input");
        assertEquals(0, cat.exitValue());
        assertArrayEquals(sent, got.toByteArray());
    }

    @Test
    void aChildThatCannotStartLeavesNoDescriptorOpen() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/nonexistent/sluice-test-program");
        ChildPipes pipes = ChildPipes.redirect(pb).orElseThrow();
        try {
            pb.start();
        } catch (java.io.IOException expected) {
            pipes.abandon();
        }
        assertTrue(!pipes.toChild().isOpen() && !pipes.fromChild().isOpen());
    }
}
