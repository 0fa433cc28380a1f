package dev.sluice.transport.stdinserver;

import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;

/**
 * Opens this process's own stdin through {@link ProcessPipes} (a child JVM of {@link ProcessPipesTest}) and prints
 * {@code opened} or the error's message.
 */
public final class ProcessPipesMain {
    private ProcessPipesMain() {
    }

    public static void main(String[] args) throws IOException {
        // the daemon has Netty's native transport loaded (its stdinserver listens through epoll) before any request
        io.netty.channel.epoll.Epoll.ensureAvailability();
        try {
            FileDescriptor fd = ProcessPipes.open(ProcessHandle.current().pid(), 0);
            fd.close();
            System.out.println("opened");
        } catch (IOException e) {
            System.out.println(e.getMessage());
        }
    }
}
