package dev.sluice.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.ListenStdinSpec;
import dev.sluice.engine.config.SluiceConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.tls.TlsEngine;
import dev.sluice.transport.tls.TlsServerSpec;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** A daemon's listeners are named for what they serve (push, pull, reverse pull), not always "sink". */
class ListenerNameTest {
    private static SluiceConfig parse(String yaml) throws Exception {
        return ConfigLoader.parse("t.yaml", yaml, Path.of("/cfg"), "test-host");
    }

    @Test
    void aSourcesListenerServesPullsAndASinksListenerPushesAndReversePulls() throws Exception {
        SluiceConfig source = parse("""
                global:
                  listen: {stdinserver: {clients: [backup-1]}}
                jobs:
                  - {name: home, paths: [/home], key_file: /k, repository: {pull: {sinks: [backup-1]}}}
                """);
        assertEquals("pull", PeerServices.serves(false, true, source));
        SluiceConfig sink = parse("""
                global:
                  listen: {stdinserver: {clients: [web-1, web-2]}}
                  sink: {repository: /srv/repo, clients: {web-2: {jobs: [home]}}}
                jobs:
                  - {name: web-1-home, type: pull, source: {job: home, reverse: web-1}, repository: /srv/repo}
                """);
        String serves = PeerServices.serves(true, false, sink);
        assertEquals("push, reverse pull", serves);
        StdinSinkService listener = StdinSinkService.of(new ListenStdinSpec(Set.of("web-1")), Path.of("/run/x"),
                link -> Mono.empty(), serves);
        assertEquals("stdinserver listener /run/x/stdinserver for push, reverse pull", listener.name());
        TlsSinkService tls = new TlsSinkService(new TlsServerSpec("127.0.0.1", 0, Path.of("ca.crt"),
                Path.of("b.crt"), Path.of("b.key"), Map.of("web-1", new PeerIdentity("web-1")), LinkSpec.DEFAULT,
                TlsEngine.JDK), link -> Mono.empty(), "pull");
        assertEquals("tls listener 127.0.0.1:0 for pull", tls.name());
    }
}
