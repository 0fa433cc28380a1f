package dev.sluice.hook;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A hook log that keeps what it is told, for assertions; the stdout/stderr text is only counted past a bound. */
final class RecordingHookLog implements HookLog {

    /** One output line as received. */
    record Line(HookPoint point, Stream stream, String text) {
    }

    private static final int KEPT_LINES = 10_000;

    final List<Line> lines = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<HookResult> finished = new CopyOnWriteArrayList<>();
    final AtomicLong stdoutChars = new AtomicLong();
    final AtomicLong stderrChars = new AtomicLong();
    final AtomicLong lineCount = new AtomicLong();

    @Override
    public void output(HookContext context, HookDefinition hook, Stream stream, String line) {
        (stream == Stream.STDOUT ? stdoutChars : stderrChars).addAndGet(line.length());
        if (lineCount.incrementAndGet() <= KEPT_LINES) {
            lines.add(new Line(hook.point(), stream, line));
        }
    }

    @Override
    public void event(HookContext context, HookDefinition hook, String message) {
        events.add(hook.displayName() + ": " + message);
    }

    @Override
    public void finished(HookContext context, HookDefinition hook, HookResult result) {
        finished.add(result);
    }

    List<String> stdout(HookPoint point) {
        List<String> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.point() == point && l.stream() == Stream.STDOUT) {
                out.add(l.text());
            }
        }
        return out;
    }
}
