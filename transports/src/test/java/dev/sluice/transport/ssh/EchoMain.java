package dev.sluice.transport.ssh;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.pipe.FdStreams;
import dev.sluice.transport.pipe.PipeLinks;
import io.netty.channel.unix.FileDescriptor;
import java.time.Duration;

/**
 * A test peer run as a child process (directly or as an ssh forced command): it accepts a
 * link on its stdin/stdout, sends every frame back, and exits 0 when the link ends normally.
 */
public final class EchoMain {

    private EchoMain() {
    }

    public static void main(String[] args) {
        System.err.println("echo peer starting");
        try (PipeLinks pipes = PipeLinks.create()) {
            Link link = pipes.open(FdStreams.readable(new FileDescriptor(0)), FdStreams.writable(new FileDescriptor(1)),
                    "echo", LinkSpec.DEFAULT.withMaxFrameLength(64 * 1024), new PeerIdentity("source"), false)
                    .block(Duration.ofSeconds(20));
            link.send(link.receive()).subscribe(v -> { }, e -> link.close(CloseReason.of(
                    CloseReason.Code.APPLICATION_ERROR, e.toString())));
            CloseReason r = link.onClose().block();
            System.err.println("echo peer ended: " + r);
            System.exit(r.isNormal() ? 0 : 3);
        }
    }
}
