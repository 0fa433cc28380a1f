package dev.sluice.engine.config;

/**
 * How this machine dials a peer: over mutual TLS or through ssh to the peer's {@code sluice stdinserver}. One spec
 * type serves every direction: a push to a sink, a pull from a source, a reverse-pull dial to a sink.
 */
public sealed interface ConnectSpec permits TlsConnectSpec, SshConnectSpec {

    /** The identity the link reports for the far side, from this configuration only. */
    String peer();

    /** A short description like {@code tls backup.example:7443}. */
    String describe();
}
