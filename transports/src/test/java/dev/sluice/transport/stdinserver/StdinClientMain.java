package dev.sluice.transport.stdinserver;

import dev.sluice.transport.PeerIdentity;
import io.netty.channel.unix.FileDescriptor;
import java.nio.file.Path;

/** What {@code sluice stdinserver ID} does, as a test program for ssh forced commands: args RUNTIME_DIR ID. */
public final class StdinClientMain {

    private StdinClientMain() {
    }

    public static void main(String[] args) throws Exception {
        int status;
        try {
            status = StdinClient.run(Path.of(args[0]), new PeerIdentity(args[1]), new FileDescriptor(0),
                    new FileDescriptor(1));
        } catch (java.io.IOException e) {
            System.err.println("stdinserver: " + e.getMessage());
            status = 255;
        }
        System.exit(status);
    }
}
