package dev.sluice.engine.daemon;

import dev.sluice.engine.json.JsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The client side of the control socket, used by {@code sluice status / run / cancel / reload}: one request line, one answer line. */
public final class ControlClient implements AutoCloseable {
    private final Path socket;
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private ControlClient(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Connects to a daemon's control socket.
     *
     * @throws IOException with a sentence saying whether no daemon runs there or this user may not use it
     */
    public static ControlClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new ControlClient(socket, channel);
        } catch (IOException e) {
            channel.close();
            String m = String.valueOf(e.getMessage());
            if (e instanceof AccessDeniedException || m.contains("Permission denied")) {
                throw new IOException("permission denied: this user may not use the control socket " + socket, e);
            }
            if (!Files.exists(socket) || m.contains("Connection refused")) {
                throw new IOException("no sluice daemon is running (nothing answers on " + socket + ")", e);
            }
            throw new IOException("cannot connect to the control socket " + socket + ": " + m, e);
        }
    }

    /** Sends one request (a JSON object without newline) and returns the parsed answer. */
    public Map<String, Object> call(String request) throws IOException {
        String line = exchange(request);
        try {
            return JsonReader.object(line);
        } catch (IllegalArgumentException e) {
            throw new IOException("the daemon's answer on " + socket + " is not valid: " + e.getMessage(), e);
        }
    }

    /** Sends one request line and returns the answer line as it came. */
    public String exchange(String request) throws IOException {
        try {
            out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException writeFailed) {
            // a refused peer is told why and disconnected at once; the reason is still there to read
            String refusal = in.readLine();
            if (refusal != null) {
                return refusal;
            }
            throw writeFailed;
        }
        String line = in.readLine();
        if (line == null) {
            throw new IOException("the daemon closed the control socket " + socket + " without answering");
        }
        return line;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
