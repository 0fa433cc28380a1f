package dev.sluice.engine.config;

/** A host and port taken from {@code HOST:PORT} (an IPv6 host loses its brackets). */
record HostPort(String host, int port) {

    /** {@code HOST:PORT} with a port from {@code lowestPort} to 65535. */
    static Conversion<HostPort> address(int lowestPort) {
        return new Conversion<>("an address like HOST:PORT", value -> {
            var m = GlobalSpec.ADDRESS.matcher(value);
            if (!m.matches() || Integer.parseInt(m.group(2)) > 65535 || Integer.parseInt(m.group(2)) < lowestPort) {
                throw new IllegalArgumentException("invalid address '" + value + "'; expected HOST:PORT like "
                        + "backup.example.org:7443 (port " + lowestPort + " to 65535)");
            }
            String host = m.group(1);
            if (host.startsWith("[")) {
                host = host.substring(1, host.length() - 1);
            }
            return new HostPort(host, Integer.parseInt(m.group(2)));
        });
    }
}
