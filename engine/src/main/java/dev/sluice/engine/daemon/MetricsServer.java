package dev.sluice.engine.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * Serves {@link Metrics} as Prometheus text on {@code GET /metrics} at {@code global.metrics} (loopback by
 * default) over Reactor Netty HTTP.
 */
public final class MetricsServer implements Service {
    private final String host;
    private final int port;
    private final Metrics metrics;
    private final LoopResources loops;
    private DisposableServer server;

    /** @param address {@code HOST:PORT}, an IPv6 host in brackets */
    public MetricsServer(String address, Metrics metrics, LoopResources loops) {
        int colon = address.lastIndexOf(':');
        String h = address.substring(0, colon);
        this.host = h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
        this.port = Integer.parseInt(address.substring(colon + 1));
        this.metrics = metrics;
        this.loops = loops;
    }

    @Override
    public String name() {
        return "metrics http://" + address() + "/metrics";
    }

    /** The address bound, with the actual port once started. */
    public String address() {
        if (server != null && server.address() instanceof InetSocketAddress a) {
            String h = a.getAddress().getHostAddress();
            return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
        }
        return host + ":" + port;
    }

    @Override
    public void start() throws IOException {
        try {
            server = HttpServer.create()
                    .runOn(loops)
                    .host(host)
                    .port(port)
                    .route(routes -> routes.get("/metrics", (request, response) -> response
                            .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                            .sendString(Mono.fromSupplier(metrics::render))))
                    .bindNow();
        } catch (RuntimeException e) {
            throw new IOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.disposeNow(Duration.ofSeconds(5));
            server = null;
        }
    }
}
