package dev.sluice.hook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Drains one output stream of a hook to its end, logging it line by line within the limits and,
 * when asked, keeping the first bytes for the point's stdout contract; memory stays bounded.
 */
final class OutputPump implements Runnable {

    private final InputStream in;
    private final HookLimits limits;
    private final Consumer<String> lines;
    private final Consumer<String> events;
    private final String streamName;
    private final ByteArrayOutputStream capture;

    private final byte[] line;
    private int lineLength;
    private boolean lineCut;
    private int loggedLines;
    private long loggedBytes;
    private long totalBytes;
    private boolean truncated;
    private boolean captureOverflow;
    private volatile IOException failure;

    OutputPump(InputStream in, HookLimits limits, String streamName, boolean capture,
               Consumer<String> lines, Consumer<String> events) {
        this.in = in;
        this.limits = limits;
        this.streamName = streamName;
        this.lines = lines;
        this.events = events;
        this.capture = capture ? new ByteArrayOutputStream() : null;
        this.line = new byte[limits.maxLineBytes()];
    }

    @Override
    public void run() {
        byte[] buffer = new byte[16384];
        try (InputStream stream = in) {
            int n;
            while ((n = stream.read(buffer)) >= 0) {
                totalBytes += n;
                if (capture != null) {
                    keep(buffer, n);
                }
                if (!truncated) {
                    split(buffer, n);
                }
            }
            if (!truncated && (lineLength > 0 || lineCut)) {
                emit();
            }
        } catch (IOException e) {
            failure = e;
        }
    }

    private void keep(byte[] buffer, int n) {
        int room = limits.maxCaptureBytes() - capture.size();
        if (n > room) {
            captureOverflow = true;
        }
        if (room > 0) {
            capture.write(buffer, 0, Math.min(room, n));
        }
    }

    private void split(byte[] buffer, int n) {
        for (int i = 0; i < n && !truncated; i++) {
            byte b = buffer[i];
            if (b == '\n') {
                emit();
            } else if (lineLength < line.length) {
                line[lineLength++] = b;
            } else {
                lineCut = true;
            }
        }
    }

    private void emit() {
        if (loggedLines >= limits.maxLoggedLines() || loggedBytes + lineLength > limits.maxLoggedBytes()) {
            truncated = true;
            events.accept(streamName + " truncated after " + loggedLines + " lines (" + loggedBytes
                    + " bytes); the rest is read and discarded");
            return;
        }
        loggedLines++;
        loggedBytes += lineLength;
        String text = escape(new String(line, 0, lineLength, StandardCharsets.UTF_8));
        lines.accept(lineCut ? text + " [line cut at " + line.length + " bytes]" : text);
        lineLength = 0;
        lineCut = false;
    }

    /** Makes control characters visible so that one hook line stays one log line. */
    private static String escape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = (c < 0x20 && c != '\t') || c == 0x7f;
            if (control && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (control) {
                    out.append(String.format("\\x%02x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }

    /** The kept stdout bytes; call after the pump finished. */
    byte[] captured() {
        return capture == null ? new byte[0] : capture.toByteArray();
    }

    /** Whether the stream carried more than the capture limit. */
    boolean captureOverflow() {
        return captureOverflow;
    }

    /** All bytes read from the stream, logged or not. */
    long totalBytes() {
        return totalBytes;
    }

    /** The read error that ended the pump early, or null. */
    IOException failure() {
        return failure;
    }
}
