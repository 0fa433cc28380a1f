package dev.sluice.benchmark;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.tls.CertificateAuthority;
import dev.sluice.transport.tls.TlsClient;
import dev.sluice.transport.tls.TlsClientSpec;
import dev.sluice.transport.tls.TlsEngine;
import dev.sluice.transport.tls.TlsServer;
import dev.sluice.transport.tls.TlsServerSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Loopback throughput of a bulk frame transfer over a TLS link, once per TLS engine: the
 * client sends 256 KiB frames, the server drains them. Usage:
 * {@code java -cp … dev.sluice.benchmark.TlsLinkThroughput [MiB per run] [runs]}.
 */
public final class TlsLinkThroughput {

    private static final int FRAME = 256 * 1024;

    private TlsLinkThroughput() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 4096;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("sluice-tls-bench");
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("bench-ca", now.minusSeconds(60),
                now.plus(Duration.ofDays(1)), new SecureRandom());
        ca.writeTo(dir);
        ca.issue("sink", now.minusSeconds(60), now.plus(Duration.ofDays(1))).writeTo(dir);
        ca.issue("source", now.minusSeconds(60), now.plus(Duration.ofDays(1))).writeTo(dir);
        System.out.println("OpenSSL engine: " + (TlsEngine.openSslUnavailability() == null ? "available"
                : TlsEngine.openSslUnavailability()));
        for (TlsEngine engine : List.of(TlsEngine.JDK, TlsEngine.OPENSSL, TlsEngine.JDK, TlsEngine.OPENSSL)) {
            if (engine == TlsEngine.OPENSSL && TlsEngine.openSslUnavailability() != null) {
                continue;
            }
            for (int r = 0; r < runs; r++) {
                double rate = run(dir, engine, mib * 1024 * 1024 / FRAME);
                System.out.printf("%-8s run %d: %8.1f MiB/s%n", engine, r + 1, rate);
            }
        }
    }

    private static double run(Path dir, TlsEngine engine, long frames) throws Exception {
        LinkSpec spec = LinkSpec.DEFAULT;
        AtomicLong received = new AtomicLong();
        Sinks.One<Long> done = Sinks.one();
        TlsServer server = TlsServer.start(new TlsServerSpec("127.0.0.1", 0, dir.resolve("ca.crt"),
                dir.resolve("sink.crt"), dir.resolve("sink.key"), Map.of("source", new PeerIdentity("source")),
                spec, engine), link -> link.receive()
                .doOnNext(f -> {
                    received.addAndGet(f.length());
                    f.release();
                })
                .take(frames)
                .then(Mono.fromRunnable(() -> done.tryEmitValue(System.nanoTime())))
                .then()).block(Duration.ofSeconds(10));
        try {
            Link link = TlsClient.connect(new TlsClientSpec("127.0.0.1", server.address().getPort(),
                    dir.resolve("ca.crt"), dir.resolve("source.crt"), dir.resolve("source.key"), "sink", spec,
                    engine)).block(Duration.ofSeconds(10));
            byte[] block = new byte[FRAME];
            ThreadLocalRandom.current().nextBytes(block);
            ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
            long start = System.nanoTime();
            link.send(Flux.range(0, (int) frames).map(i -> {
                ByteBuf b = alloc.directBuffer(FRAME);
                b.writeBytes(block);
                return new Frame(1, b);
            })).block(Duration.ofMinutes(5));
            long end = done.asMono().block(Duration.ofMinutes(5));
            link.close(CloseReason.normal());
            link.onClose().block(Duration.ofSeconds(10));
            return received.get() / 1048576.0 / ((end - start) / 1e9);
        } finally {
            server.close();
        }
    }
}
