package dev.sluice.transport.stdinserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.pipe.FdStreams;
import dev.sluice.transport.pipe.PipeLinks;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The stdinserver in a real runtime directory, with a client passing real pipe descriptors. */
class StdinServerTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final LinkSpec SPEC = LinkSpec.DEFAULT.withMaxFrameLength(64 * 1024);

    @TempDir
    Path tmp;

    Path runtimeDir(String mode) throws IOException {
        Path d = Files.createDirectory(tmp.resolve("run-" + mode));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    StdinServerSpec spec(Path dir) {
        return new StdinServerSpec(dir, Set.of(new PeerIdentity("web-1"), new PeerIdentity("db-2")), SPEC);
    }

    @Test
    void refusesAGroupOrWorldAccessibleRuntimeDirectory() throws IOException {
        for (String mode : new String[] {"rwxr-xr-x", "rwxrwx---", "rwx-----x"}) {
            Path d = runtimeDir(mode);
            IOException e = assertThrows(IOException.class, () -> StdinServer.start(spec(d), l -> l.onClose().then()));
            assertTrue(e.getMessage().contains("group and others must have no access"), e.getMessage());
            assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
            try (var s = Files.list(d)) {
                assertEquals(0, s.count(), "a socket was created in " + d);
            }
        }
    }

    @Test
    void refusesASymbolicLinkAndAMissingDirectory() throws IOException {
        Path real = runtimeDir("rwx------");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertTrue(assertThrows(IOException.class, () -> StdinServer.start(spec(link), l -> l.onClose().then()))
                .getMessage().contains("symbolic link"));
        assertTrue(assertThrows(IOException.class, () -> StdinServer.start(spec(tmp.resolve("nope")),
                l -> l.onClose().then())).getMessage().contains("does not exist"));
    }

    @Test
    void aClientGetsALinkWithTheIdentityOfTheSocketAndTheSessionStatus() throws Exception {
        Path dir = runtimeDir("rwx------");
        BlockingQueue<Link> accepted = new LinkedBlockingQueue<>();
        try (StdinServer server = StdinServer.start(spec(dir), l -> {
                accepted.add(l);
                return l.send(l.receive());
            });
             PipeLinks pipes = PipeLinks.create()) {
            assertTrue(Files.exists(dir.resolve("web-1.sock")));
            assertTrue(Files.exists(dir.resolve("db-2.sock")));
            assertFalse(Files.exists(dir.resolve("other.sock")), "a socket exists for an unknown identity");

            // toClient carries what the daemon writes to the client's "stdout"; toDaemon its "stdin"
            FileDescriptor[] toDaemon = FileDescriptor.pipe();
            FileDescriptor[] toClient = FileDescriptor.pipe();
            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
                try {
                    return StdinClient.run(dir, new PeerIdentity("db-2"), toDaemon[0], toClient[1]);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Link link = pipes.open(FdStreams.readable(toClient[0]), FdStreams.writable(toDaemon[1]), "test client", SPEC,
                    new PeerIdentity("sink"), true).block(WAIT);
            Link serverSide = accepted.poll(20, TimeUnit.SECONDS);
            assertEquals("db-2", serverSide.peer().name());

            link.send(Flux.range(0, 100).map(i -> Frame.of(3, ("m" + i).getBytes(StandardCharsets.UTF_8))))
                    .subscribe();
            StepVerifier.create(link.receive().take(100).map(f -> {
                        try {
                            return f.payload().toString(StandardCharsets.UTF_8);
                        } finally {
                            f.release();
                        }
                    }).collectList())
                    .assertNext(l -> {
                        assertEquals("m0", l.get(0));
                        assertEquals("m99", l.get(99));
                    })
                    .expectComplete().verify(WAIT);
            link.close(CloseReason.normal());
            assertEquals(0, status.get(20, TimeUnit.SECONDS));
            // the client's own copies of the descriptors are the caller's to close
            toDaemon[0].close();
            toClient[1].close();
            assertEquals(CloseReason.Code.NORMAL, serverSide.onClose().block(WAIT).code());
        }
        assertFalse(Files.exists(dir.resolve("web-1.sock")), "close() left the socket behind");
    }

    /** A reload's identities: new ones get a socket and a FIFO, gone ones lose theirs, sessions in progress go on. */
    @Test
    void updateAddsAndRemovesIdentitiesWhileASessionGoesOn() throws Exception {
        Path dir = runtimeDir("rwx------");
        BlockingQueue<Link> accepted = new LinkedBlockingQueue<>();
        try (StdinServer server = StdinServer.start(spec(dir), l -> {
                accepted.add(l);
                return l.send(l.receive());
            });
             PipeLinks pipes = PipeLinks.create()) {
            Session db2 = Session.open(dir, "db-2", pipes);
            assertEquals("db-2", accepted.poll(20, TimeUnit.SECONDS).peer().name());

            server.update(Set.of(new PeerIdentity("web-1"), new PeerIdentity("new-3")));
            assertEquals(Set.of(new PeerIdentity("web-1"), new PeerIdentity("new-3")), server.clients());
            assertFalse(Files.exists(dir.resolve("db-2.sock")), "a gone identity keeps its socket");
            assertFalse(Files.exists(StdinServerSpec.fifo(dir, new PeerIdentity("db-2"))), "a gone identity keeps its FIFO");
            assertTrue(Files.exists(dir.resolve("new-3.sock")));
            assertTrue(Files.exists(StdinServerSpec.fifo(dir, new PeerIdentity("new-3"))));
            FileDescriptor[] p = FileDescriptor.pipe();
            IOException gone = assertThrows(IOException.class, () -> StdinClient.run(dir, new PeerIdentity("db-2"),
                    p[0], p[1]));
            assertTrue(gone.getMessage().contains("no stdinserver socket for client 'db-2'"), gone.getMessage());
            p[0].close();
            p[1].close();

            assertEquals("after the update", db2.echo("after the update"), "the session in progress goes on");
            assertEquals(0, db2.end());
            Session new3 = Session.open(dir, "new-3", pipes);
            assertEquals("new-3", accepted.poll(20, TimeUnit.SECONDS).peer().name());
            assertEquals("hello", new3.echo("hello"));
            assertEquals(0, new3.end());
        }
        assertFalse(Files.exists(dir.resolve("new-3.sock")), "close() left an added identity's socket behind");
    }

    /** A client session through real pipes: the link on the client's side and the status its client process gets. */
    private record Session(Link link, CompletableFuture<Integer> status, FileDescriptor[] clientEnds) {
        static Session open(Path dir, String id, PipeLinks pipes) throws IOException {
            FileDescriptor[] toDaemon = FileDescriptor.pipe();
            FileDescriptor[] toClient = FileDescriptor.pipe();
            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
                try {
                    return StdinClient.run(dir, new PeerIdentity(id), toDaemon[0], toClient[1]);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Link link = pipes.open(FdStreams.readable(toClient[0]), FdStreams.writable(toDaemon[1]), "test " + id,
                    SPEC, new PeerIdentity("sink"), true).block(WAIT);
            return new Session(link, status, new FileDescriptor[] {toDaemon[0], toClient[1]});
        }

        String echo(String text) {
            link.send(Flux.just(Frame.of(3, text.getBytes(StandardCharsets.UTF_8)))).subscribe();
            Frame f = link.receive().next().block(WAIT);
            try {
                return f.payload().toString(StandardCharsets.UTF_8);
            } finally {
                f.release();
            }
        }

        int end() throws Exception {
            link.close(CloseReason.normal());
            int s = status.get(20, TimeUnit.SECONDS);
            for (FileDescriptor fd : clientEnds) {
                fd.close();
            }
            return s;
        }
    }

    /**
     * A client that is not a JVM (the launcher as forced command) comes through the FIFO: the daemon opens its pipes
     * through {@code /proc} and splices them into the link, so no relay thread copies the bytes through the JVM.
     */
    @Test
    void aFifoClientsPipesAreSplicedIntoTheLink() throws Exception {
        Path dir = runtimeDir("rwx------");
        PeerIdentity db = new PeerIdentity("db-2");
        BlockingQueue<Link> accepted = new LinkedBlockingQueue<>();
        try (StdinServer server = StdinServer.start(spec(dir), l -> {
                accepted.add(l);
                return l.send(l.receive());
            });
             PipeLinks pipes = PipeLinks.create();
             FifoClients clients = new FifoClients(dir, db)) {
            Process client = clients.forcedCommand();
            java.nio.channels.FileChannel answers = clients.ask(client.pid());
            assertEquals("ok", FifoClients.line(answers));
            // this side plays ssh: it writes the forced command's stdin and reads its stdout
            Link link = pipes.open(client.getInputStream(), client.getOutputStream(), "test ssh", SPEC,
                    new PeerIdentity("sink"), true).block(WAIT);
            Link serverSide = accepted.poll(20, TimeUnit.SECONDS);
            assertEquals("db-2", serverSide.peer().name());

            byte[] big = new byte[60 * 1024];
            new java.util.Random(5).nextBytes(big);
            link.send(Flux.range(0, 200).map(i -> Frame.of(3, i % 2 == 0 ? big : ("m" + i).getBytes(
                    StandardCharsets.UTF_8)))).subscribe();
            StepVerifier.create(link.receive().take(200).map(f -> {
                        try {
                            byte[] b = new byte[f.payload().readableBytes()];
                            f.payload().readBytes(b);
                            return b;
                        } finally {
                            f.release();
                        }
                    }).collectList())
                    .assertNext(l -> {
                        assertArrayEquals(big, l.get(0));
                        assertEquals("m199", new String(l.get(199), StandardCharsets.UTF_8));
                    })
                    .expectComplete().verify(WAIT);
            assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.contains("stdinserver db-2")).toList(), "a relay thread serves the FIFO client");
            link.close(CloseReason.normal());
            assertEquals(CloseReason.Code.NORMAL, serverSide.onClose().block(WAIT).code());
            assertEquals("status 0", FifoClients.line(answers));
        }
    }

    /** The FIFO only spares the forced command a JVM: a FIFO that cannot be made leaves the socket working. */
    @Test
    void aFifoThatCannotBeMadeLeavesTheSocket() throws Exception {
        Path dir = runtimeDir("rwx------");
        Path inTheWay = StdinServerSpec.fifo(dir, new PeerIdentity("web-1"));
        Files.createDirectories(inTheWay.resolve("in-the-way"));
        try (StdinServer server = StdinServer.start(spec(dir), l -> l.onClose().then())) {
            assertTrue(Files.exists(dir.resolve("web-1.sock")));
            assertTrue(Files.isDirectory(inTheWay), "nothing in the way was removed");
            int mode = ((Number) Files.getAttribute(StdinServerSpec.fifo(dir, new PeerIdentity("db-2")), "unix:mode"))
                    .intValue();
            assertEquals(0010600, mode, "the other identity has its FIFO: " + Integer.toOctalString(mode));
        }
    }

    @Test
    void aClientForAnUnknownIdentityFindsNoSocket() throws Exception {
        Path dir = runtimeDir("rwx------");
        try (StdinServer server = StdinServer.start(spec(dir), l -> l.onClose().then())) {
            FileDescriptor[] p = FileDescriptor.pipe();
            IOException e = assertThrows(IOException.class, () -> StdinClient.run(dir, new PeerIdentity("intruder"),
                    p[0], p[1]));
            assertTrue(e.getMessage().contains("no stdinserver socket for client 'intruder'"), e.getMessage());
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void anAbnormalEndGivesTheClientANonZeroStatus() throws Exception {
        Path dir = runtimeDir("rwx------");
        try (StdinServer server = StdinServer.start(spec(dir), l -> reactor.core.publisher.Mono.error(
                new IllegalStateException("no repository for web-1")));
             PipeLinks pipes = PipeLinks.create()) {
            FileDescriptor[] toDaemon = FileDescriptor.pipe();
            FileDescriptor[] toClient = FileDescriptor.pipe();
            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
                try {
                    return StdinClient.run(dir, new PeerIdentity("web-1"), toDaemon[0], toClient[1]);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Link link = pipes.open(FdStreams.readable(toClient[0]), FdStreams.writable(toDaemon[1]), "test client", SPEC,
                    new PeerIdentity("sink"), true).block(WAIT);
            // a link notices the peer's close when it reads
            StepVerifier.create(link.receive())
                    .expectErrorSatisfies(t -> {
                        CloseReason r = ((dev.sluice.transport.LinkClosedException) t).reason();
                        assertEquals(CloseReason.Code.APPLICATION_ERROR, r.code());
                        assertEquals("no repository for web-1", r.detail());
                    })
                    .verify(WAIT);
            assertEquals(1, status.get(20, TimeUnit.SECONDS));
            toDaemon[0].close();
            toClient[1].close();
        }
    }
}
