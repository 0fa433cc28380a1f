package dev.sluice.engine.job;

import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.engine.config.SshConnectSpec;
import dev.sluice.engine.config.TlsConnectSpec;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.pipe.PipeLinks;
import dev.sluice.transport.ssh.SshLinks;
import dev.sluice.transport.ssh.SshSpec;
import dev.sluice.transport.tls.TlsClient;
import dev.sluice.transport.tls.TlsClientSpec;
import dev.sluice.transport.tls.TlsEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Opens one authenticated link to a peer: by dialing it over mutual TLS or ssh (a {@link ConnectSpec}), or by
 * handing out a link that is already open (the peer dialed us and asked for a job).
 */
public abstract sealed class Connector permits Connector.Dial, Connector.Accepted, Connector.Custom {
    /** How long a connection (including the TLS or ssh and link handshakes) may take. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private Connector() {
    }

    /** Opens the link; throws naming the peer when it cannot be reached or refuses this side. */
    public abstract Link connect() throws IOException;

    /** A short description like {@code tls backup.example:7443}. */
    public abstract String describe();

    /** A connector that dials what {@code spec} says. */
    public static Connector of(ConnectSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return new Dial(spec);
    }

    /** The TLS client settings of {@code tls} (verification off only when its insecure_skip_verify says so). */
    public static TlsClientSpec tlsClient(TlsConnectSpec tls) {
        return new TlsClientSpec(tls.host(), tls.port(), tls.ca(), tls.cert(), tls.key(), tls.serverName(),
                LinkSpec.DEFAULT, TlsEngine.preferred(), tls.insecureSkipVerify());
    }

    /** A connector that hands out {@code link} once (a link the peer opened). */
    public static Connector accepted(Link link, String description) {
        return new Accepted(link, description);
    }

    /** A connector that opens each link with {@code dial} (in-process links, for example). */
    public static Connector dialing(String description, java.util.concurrent.Callable<Link> dial) {
        return new Custom(description, dial);
    }

    static final class Custom extends Connector {
        private final String description;
        private final java.util.concurrent.Callable<Link> dial;

        Custom(String description, java.util.concurrent.Callable<Link> dial) {
            this.description = Objects.requireNonNull(description, "description");
            this.dial = Objects.requireNonNull(dial, "dial");
        }

        @Override
        public Link connect() throws IOException {
            try {
                return dial.call();
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("cannot reach " + description + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String describe() {
            return description;
        }
    }

    static final class Dial extends Connector {
        private final ConnectSpec spec;

        Dial(ConnectSpec spec) {
            this.spec = spec;
        }

        @Override
        public Link connect() throws IOException {
            Link link;
            PipeLinks pipes = null;
            try {
                Mono<Link> opening;
                if (spec instanceof TlsConnectSpec tls) {
                    opening = TlsClient.connect(tlsClient(tls));
                } else {
                    SshConnectSpec ssh = (SshConnectSpec) spec;
                    pipes = PipeLinks.create();
                    System.Logger log = System.getLogger(Connector.class.getName());
                    opening = new SshLinks(pipes, "ssh", line -> log.log(System.Logger.Level.INFO, line),
                            Duration.ofSeconds(10)).connect(SshSpec.toStdinserver(ssh.host(), ssh.port(), ssh.user(),
                                    ssh.identityFile(), ssh.options(), new PeerIdentity(ssh.identity()),
                                    new PeerIdentity(ssh.peer()), LinkSpec.DEFAULT));
                }
                link = opening.block(CONNECT_TIMEOUT);
            } catch (RuntimeException e) {
                closeLater(pipes);
                throw new IOException("cannot reach " + describe() + ": " + e.getMessage(), e);
            }
            if (link == null) {
                closeLater(pipes);
                throw new IOException("cannot reach " + describe() + ": the connection did not complete");
            }
            if (pipes != null) {
                PipeLinks owned = pipes;
                // the pipe carrier's event loop lives as long as its one link
                link.onClose().subscribe(r -> closeLater(owned));
            }
            return link;
        }

        /** Shuts a pipe carrier down off its own event loop (it waits for the loop to end). */
        private static void closeLater(PipeLinks pipes) {
            if (pipes != null) {
                Schedulers.boundedElastic().schedule(pipes::close);
            }
        }

        @Override
        public String describe() {
            return spec.describe();
        }
    }

    static final class Accepted extends Connector {
        private final Link link;
        private final String description;
        private final AtomicBoolean used = new AtomicBoolean();

        Accepted(Link link, String description) {
            this.link = Objects.requireNonNull(link, "link");
            this.description = Objects.requireNonNull(description, "description");
        }

        @Override
        public Link connect() throws IOException {
            if (!used.compareAndSet(false, true)) {
                throw new IOException("the link from " + description + " was already used for a session");
            }
            return link;
        }

        @Override
        public String describe() {
            return description;
        }
    }
}
